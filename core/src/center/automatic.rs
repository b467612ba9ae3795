//! Automatic supervision (Turpan art. 28: 超期; 重办后仍不满意): the center service identity
//! records it as a signed event, so it syncs and is audited like any person's action. The fold
//! checks each such event again (`trigger_absent`, `already_recorded`), so a service that ran
//! twice, or on two machines, records nothing twice that counts.

use serde::Serialize;

use super::{CenterError, StoreLog, walk_orders};
use crate::device::Device;
use crate::model::{Action, OrderId, SupervisionForm, SupervisionTrigger, Timestamp};
use crate::policy::{HolidayCalendar, Policy};
use crate::workflow::{OrderState, automatic_triggers, fold, recorded_by_service};

/// The automatic triggers that hold at `now` and the service has not recorded yet.
pub fn pending(
    state: &OrderState,
    now: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Vec<SupervisionTrigger> {
    let Ok(triggers) = automatic_triggers(state, now, policy, cal) else {
        return Vec::new();
    };
    triggers
        .into_iter()
        .filter(|t| !recorded_by_service(state, *t))
        .collect()
}

/// One supervision the service recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub order: String,
    pub trigger: SupervisionTrigger,
}

/// Records, as the center service enrolled on `device` (`who` on a shared store), every
/// automatic supervision due at `now` on the orders the device holds.
pub fn record(
    device: &mut Device,
    who: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Recorded>, CenterError> {
    let mut due: Vec<(OrderId, SupervisionTrigger)> = Vec::new();
    walk_orders(
        &mut StoreLog(device.store()),
        device.trust(),
        &mut |order, events| {
            let state = fold(events, device.policy(), device.calendar());
            for t in pending(&state, now, device.policy(), device.calendar()) {
                due.push((order.clone(), t));
            }
            Ok(())
        },
    )?;
    let mut out = Vec::with_capacity(due.len());
    for (order, trigger) in due {
        let action = Action::Supervise {
            trigger,
            form: SupervisionForm::Daily,
            note: format!(
                "系统自动督办：{} / automatic supervision: {}",
                trigger.zh(),
                trigger.as_str()
            ),
        };
        device.act(who, &order, action, now)?;
        out.push(Recorded {
            order: order.0,
            trigger,
        });
    }
    Ok(out)
}
