//! Every method, seed and engine: the real engine first (its alarms, and the scenarios a
//! method must then not count), then each mutant, each method stopping at its first
//! detection.

use serde::Serialize;

use super::attempt::{Attempt, Catch, Setup, attempt};
use super::budget::Budget;
use super::method::Method;
use super::plant::Mutant;
use crate::campaign::Stop;

/// What one method did to one engine over every seed.
#[derive(Debug, Clone, Serialize)]
pub struct MethodFinding {
    /// The method.
    pub method: Method,
    /// One attempt per seed.
    pub attempts: Vec<Attempt>,
}

impl MethodFinding {
    /// Seeds whose attempt caught it.
    pub fn caught(&self) -> usize {
        self.attempts.iter().filter(|a| a.caught.is_some()).count()
    }

    /// The median effort over the seeds that caught it.
    pub fn median_effort(&self) -> Option<f64> {
        let mut efforts: Vec<u64> = self
            .attempts
            .iter()
            .filter_map(|a| a.caught.as_ref().map(|c| c.effort))
            .collect();
        efforts.sort_unstable();
        match efforts.len() {
            0 => None,
            n if n % 2 == 1 => Some(efforts[n / 2] as f64),
            n => Some((efforts[n / 2 - 1] + efforts[n / 2]) as f64 / 2.0),
        }
    }

    /// The first catch (lowest seed), for its scenario and replay command.
    pub fn first_catch(&self) -> Option<&Catch> {
        self.attempts.iter().find_map(|a| a.caught.as_ref())
    }
}

/// Everything about one mutant.
#[derive(Debug, Clone, Serialize)]
pub struct MutantFinding {
    /// The mutant.
    pub mutant: Mutant,
    /// Per method.
    pub methods: Vec<MethodFinding>,
}

impl MutantFinding {
    /// Whether any method caught it with any seed.
    pub fn caught(&self) -> bool {
        self.methods.iter().any(|m| m.caught() > 0)
    }
}

/// The real engine under one method: its alarms (scenarios that failed).
#[derive(Debug, Clone, Serialize)]
pub struct RealFinding {
    /// The method.
    pub method: Method,
    /// Every alarm, over every seed.
    pub alarms: Vec<Catch>,
    /// Iterations (or schedules) run in all.
    pub spent: u64,
}

/// The whole matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    /// The budget.
    pub budget: Budget,
    /// The scenarios, in the order each method tries them.
    pub scenarios: Vec<String>,
    /// The real engine, per method.
    pub real: Vec<RealFinding>,
    /// Per mutant.
    pub mutants: Vec<MutantFinding>,
    /// Whether a signal cut it short.
    pub interrupted: bool,
}

impl Findings {
    /// The real engine's alarms, all methods together.
    pub fn alarms(&self) -> usize {
        self.real.iter().map(|r| r.alarms.len()).sum()
    }

    /// Mutants no method caught.
    pub fn survivors(&self) -> Vec<Mutant> {
        self.mutants
            .iter()
            .filter(|m| !m.caught())
            .map(|m| m.mutant)
            .collect()
    }
}

/// Runs the matrix; `say` is told each engine's result as it is known.
pub fn run(setup: &Setup<'_>, stop: &Stop, say: &mut dyn FnMut(Said<'_>)) -> Findings {
    let seeds = |method: Method| {
        (0..setup.budget.seeds(method))
            .map(|k| engine::mix(setup.seed, k))
            .collect::<Vec<_>>()
    };
    let mut real = Vec::new();
    for method in Method::ALL {
        let mut finding = RealFinding {
            method,
            alarms: Vec::new(),
            spent: 0,
        };
        for seed in seeds(method) {
            let (attempt, alarms) = attempt(setup, method, Mutant::None, seed, &[], stop);
            finding.spent += attempt.spent;
            finding.alarms.extend(alarms);
        }
        if stop.requested() {
            // Cut short: neither its figures nor the mutants after it would mean anything.
            break;
        }
        say(Said::Real(&finding));
        real.push(finding);
    }
    let mut mutants = Vec::new();
    for &mutant in setup.mutants {
        if stop.requested() || real.len() < Method::ALL.len() {
            break;
        }
        let mut methods = Vec::new();
        for method in Method::ALL {
            let skip: Vec<String> = real
                .iter()
                .filter(|r| r.method == method)
                .flat_map(|r| r.alarms.iter().map(|a| a.scenario.clone()))
                .collect();
            let attempts = seeds(method)
                .into_iter()
                .map(|seed| attempt(setup, method, mutant, seed, &skip, stop).0)
                .collect();
            methods.push(MethodFinding { method, attempts });
        }
        if stop.requested() {
            // Cut short: not a survivor, just not run to its end.
            break;
        }
        let finding = MutantFinding { mutant, methods };
        say(Said::Mutant(&finding));
        mutants.push(finding);
    }
    Findings {
        budget: setup.budget,
        scenarios: setup.scenarios.iter().map(|s| s.name.clone()).collect(),
        real,
        mutants,
        interrupted: stop.requested(),
    }
}

/// What the matrix says as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Said<'a> {
    /// The real engine under one method.
    Real(&'a RealFinding),
    /// One mutant, every method.
    Mutant(&'a MutantFinding),
}
