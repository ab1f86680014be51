/* Force-included by engine/build.rs (-include bp_lua.h) into every file of the Lua build. */
#ifndef BP_LUA_H
#define BP_LUA_H

/* lstate.c: `#if !defined(luai_makeseed)` ... `g->seed = luai_makeseed(L);`, so defining
 * the macro replaces Lua's address+time seed with one chosen by Rust (src/lua/seed.rs). */
unsigned int bp_lua_makeseed(void *L);
#define luai_makeseed(L) bp_lua_makeseed((void *)(L))

/* ldebug.c's luaG_traceexec, patched by build.rs where it turns tracing off. Both are
 * defined in src/lua/plant.rs: a plant called between the read of `L->hookmask` and the
 * clearing of the trap (null unless a test or the lost-alarm mutant sets it), and a switch
 * that only the lost-alarm mutant turns on, to take the mask's second read away. */
extern void (*volatile bp_traceexec_plant)(void *L);
extern volatile int bp_traceexec_recheck_off;
#define bp_traceexec_window(L)                                                     \
  do {                                                                             \
    void (*bp_plant)(void *) = bp_traceexec_plant;                                 \
    if (bp_plant) bp_plant((void *)(L));                                           \
  } while (0)
#define bp_traceexec_recheck(L) (!bp_traceexec_recheck_off && (L)->hookmask)

#endif
