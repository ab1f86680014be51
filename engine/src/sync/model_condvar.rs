//! The model checkers' condition variable: their own, with the idle timeout as a choice
//! point ([`Runtime::fires`](super::Runtime::fires)), since neither checker times a wait out.

/// Implements [`RtCondvar`](super::RtCondvar) for a model checker's `Condvar` type on its
/// runtime. A timed wait asks [`Timer::Idle`](super::Timer::Idle) before each wait: when it
/// fires, the waiter gives up and yields (the woken thread runs when the scheduler gets to
/// it); otherwise it waits for a notification, untimed.
macro_rules! model_condvar {
    ($runtime:ty, $condvar:ty) => {
        impl $crate::sync::RtCondvar<$runtime> for $condvar {
            fn new() -> Self {
                <$condvar>::new()
            }

            fn wait_until<T: Send, U>(
                &self,
                mutex: &<$runtime as $crate::sync::Runtime>::Mutex<T>,
                timeout: Option<std::time::Duration>,
                mut ready: impl FnMut(&mut T) -> Option<U>,
            ) -> Option<U> {
                use $crate::sync::Runtime;
                let mut guard = mutex
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                loop {
                    if let Some(value) = ready(&mut guard) {
                        return Some(value);
                    }
                    if let Some(after) = timeout
                        && <$runtime>::fires($crate::sync::Timer::Idle, <$runtime>::now(), after)
                    {
                        drop(guard);
                        <$runtime>::yield_now();
                        return None;
                    }
                    guard = self
                        .wait(guard)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }

            fn notify_one(&self) {
                <$condvar>::notify_one(self);
            }

            fn notify_all(&self) {
                <$condvar>::notify_all(self);
            }
        }
    };
}

pub(crate) use model_condvar;
