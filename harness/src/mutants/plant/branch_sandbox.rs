//! `branch-sandbox` (issue 19, planted by hand): the sandbox's removals (`load`, `loadfile`,
//! `dofile`, `warn`, `string.dump`) are applied on the main path but skipped in branch VMs:
//! a branch gets them back, working.

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::Runtime;
use mlua::{Function, Lua};

use super::{About, Seam};

/// What `branch-sandbox` is.
pub(super) const ABOUT: About = About {
    name: "branch-sandbox",
    seam: Seam::VmFactory,
    story: "issue 19",
    class: "sandbox removals skipped in branch VMs",
};

/// Sandboxed VMs, except that a branch's gets back what the sandbox removes.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnsandboxedBranches;

impl<R: Runtime> VmFactory<R> for UnsandboxedBranches {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        let vm = Vm::new(spec)?;
        if spec.branch.is_some() {
            restore(vm.lua()).map_err(|e| Fault::Lua(e.to_string()))?;
        }
        Ok(vm)
    }
}

/// Puts back working versions of what the sandbox removes.
fn restore(lua: &Lua) -> mlua::Result<()> {
    let globals = lua.globals();
    let load = lua.create_function(|lua, chunk: mlua::LuaString| {
        lua.load(chunk.as_bytes().to_vec()).into_function()
    })?;
    let loadfile = lua.create_function(|lua, path: String| {
        let source = std::fs::read(&path).map_err(mlua::Error::external)?;
        lua.load(source).set_name(path).into_function()
    })?;
    let dofile = lua.create_function(|lua, path: String| {
        let source = std::fs::read(&path).map_err(mlua::Error::external)?;
        lua.load(source).set_name(path).call::<mlua::MultiValue>(())
    })?;
    let dump = lua.create_function(|lua, f: Function| lua.create_string(f.dump(false)))?;
    globals.set("load", load)?;
    globals.set("loadfile", loadfile)?;
    globals.set("dofile", dofile)?;
    globals.set("warn", lua.create_function(|_, ()| Ok(()))?)?;
    globals.get::<mlua::Table>("string")?.set("dump", dump)
}
