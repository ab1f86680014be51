//! `harness report merge`: shard reports (`--shard K/N`) put together into the report of the
//! whole run, exactly.
//!
//! Every count comes from the shards' tallies (`report.json` holds each scenario's whole
//! tally): counts add, the usual outcome and the class are decided again from the merged
//! fingerprint counts, intervals are computed from the merged counts, and "first" means the
//! lowest iteration index across shards. So the merge of N shards is the report an unsharded
//! run with the same seed gives, but for wall times. A shard that did not complete is merged
//! and makes the merge incomplete, naming it; a shard that is missing, or from another run
//! seed, harness build, mode, option or scenario content, is an error that names it
//! ([`shards`]), and so is one whose claims do not hold together ([`super::shard_check`]): a
//! part that is not the K-th of N, more iterations than planned, an outcome that counts none.

mod run;
mod scenario;
mod shards;

pub use run::merge;
pub use shards::ShardReport;
