//! Lua compiled once to bytecode, at load time; each VM loads a chunk at most once.

use mlua::{Lua, LuaOptions, StdLib};

use crate::sync::counters::next_chunk_id;

/// A compiled Lua chunk: bytecode with line information, named for error messages.
#[derive(Debug)]
pub struct Chunk {
    /// Process-unique id, the key of each VM's function cache.
    pub(crate) id: u64,
    /// Lua chunk name (`=file.yaml`), which prefixes Lua's error messages.
    pub(crate) name: String,
    /// Bytecode from `string.dump`, with line information.
    pub(crate) bytecode: Vec<u8>,
}

impl Chunk {
    /// Compiles `source` on its own, for tools and benches; `name` labels Lua's errors (a
    /// leading `=` keeps it as written). The message is Lua's, on failure.
    pub fn new(name: &str, source: &str) -> Result<Chunk, String> {
        let lua = compiler().map_err(|e| super::message::message(&e))?;
        Chunk::compile(&lua, name, source).map_err(|e| super::message::message(&e))
    }

    /// Compiles `source` with a compiler state from [`compiler`].
    pub(crate) fn compile(compiler: &Lua, name: &str, source: &str) -> mlua::Result<Chunk> {
        let function = compiler
            .load(source)
            .set_name(name)
            .set_mode(mlua::chunk::ChunkMode::Text)
            .into_function()?;
        Ok(Chunk {
            id: next_chunk_id(),
            name: name.to_string(),
            bytecode: function.dump(false),
        })
    }
}

/// A bare Lua state that only compiles: no libraries, never runs user code.
pub(crate) fn compiler() -> mlua::Result<Lua> {
    Lua::new_with(StdLib::NONE, LuaOptions::new())
}
