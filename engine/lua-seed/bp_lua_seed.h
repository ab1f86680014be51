/* Force-included by engine/build.rs (-include bp_lua_seed.h) into the Lua build.
 * Lua 5.4 lstate.c: `#if !defined(luai_makeseed)` ... `g->seed = luai_makeseed(L);`
 * so defining the macro replaces Lua's address+time seed with one chosen by Rust. */
#ifndef BP_LUA_SEED_H
#define BP_LUA_SEED_H
unsigned int bp_lua_makeseed(void *L);
#define luai_makeseed(L) bp_lua_makeseed((void *)(L))
#endif
