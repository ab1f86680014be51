//! Property "load round trip": a generated workflow serialized to YAML
//! (`engine::loader::to_yaml`) loads back to the same raw workflow, the same settings and
//! the same compiled graph (`Workflow::shape`).

use engine::Workflow;
use engine::loader::to_yaml;
use proptest::prelude::*;

use crate::build::build;
use crate::spec::spec;

proptest! {
    #![proptest_config(crate::config(512, "proptest-regressions/round_trip.txt"))]

    #[test]
    fn proptest_load_round_trip(spec in spec(), probe in any::<bool>()) {
        let built = build(&spec, probe);
        let direct = Workflow::from_raw(built.raw.clone(), "", None)
            .map_err(|e| TestCaseError::fail(format!("a generated workflow failed to load: {e}")))?;
        let yaml = to_yaml(&built.raw);
        let loaded = Workflow::from_yaml(&yaml, None)
            .map_err(|e| TestCaseError::fail(format!("its YAML failed to load: {e}\n{yaml}")))?;
        prop_assert_eq!(loaded.raw(), &built.raw);
        prop_assert_eq!(loaded.settings(), direct.settings());
        prop_assert_eq!(loaded.shape(), direct.shape(), "{}", yaml);
    }
}
