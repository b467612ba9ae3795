//! The peer's side of the change bytes, encoded rather than estimated: each line of the shared
//! workload made as the peer makes it (its README: one order is one change; the edit — `status`
//! set, one event appended — is one change) in an Automerge document of its own, and the bytes of
//! those two changes as Automerge encodes them for the wire. The hotline's own changes carry the
//! same order differently (see `workload::MAPPING`), so the report prints both sides.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue};
use hotline_core::error::ErrorCode;
use serde_json::{Map, Value};

use crate::output::CliError;

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::new(
        ErrorCode::Bench,
        format!("基准测试失败：{e}"),
        format!("benchmark failed: {e}"),
    )
}

/// A JSON scalar as Automerge holds it (integers stay integers, as the peer's times are).
fn scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => n
            .as_i64()
            .map(ScalarValue::Int)
            .or_else(|| n.as_f64().map(ScalarValue::F64))
            .unwrap_or(ScalarValue::Null),
        Value::String(s) => ScalarValue::Str(s.as_str().into()),
        _ => ScalarValue::Null,
    }
}

/// `fields` into the map `obj`, nested maps and lists made as Automerge objects.
fn put_map(
    doc: &mut AutoCommit,
    obj: &automerge::ObjId,
    fields: &Map<String, Value>,
) -> Result<(), CliError> {
    for (key, value) in fields {
        match value {
            Value::Object(m) => {
                let child = doc.put_object(obj, key, ObjType::Map).map_err(fail)?;
                put_map(doc, &child, m)?;
            }
            Value::Array(items) => {
                let list = doc.put_object(obj, key, ObjType::List).map_err(fail)?;
                for (i, item) in items.iter().enumerate() {
                    insert_item(doc, &list, i, item)?;
                }
            }
            v => doc.put(obj, key, scalar(v)).map_err(fail)?,
        }
    }
    Ok(())
}

fn insert_item(
    doc: &mut AutoCommit,
    list: &automerge::ObjId,
    at: usize,
    item: &Value,
) -> Result<(), CliError> {
    match item {
        Value::Object(m) => {
            let child = doc.insert_object(list, at, ObjType::Map).map_err(fail)?;
            put_map(doc, &child, m)
        }
        v => doc.insert(list, at, scalar(v)).map_err(fail),
    }
}

fn last_change_len(doc: &mut AutoCommit) -> usize {
    doc.get_last_local_change()
        .map_or(0, |c| c.clone().raw_bytes().len())
}

/// The bytes of the peer's two changes for one workload line: the order made whole (every
/// field, its 10 events, the edit left out) and the edit.
pub fn encoded(line: &Map<String, Value>) -> Result<(usize, usize), CliError> {
    let mut order = line.clone();
    let edit = order.remove("edit").unwrap_or(Value::Null);
    let mut doc = AutoCommit::new();
    put_map(&mut doc, &ROOT, &order)?;
    doc.commit();
    let create = last_change_len(&mut doc);

    if let Some(status) = edit.get("status") {
        doc.put(ROOT, "status", scalar(status)).map_err(fail)?;
    }
    if let (Some(event), Some((_, events))) =
        (edit.get("event"), doc.get(ROOT, "events").map_err(fail)?)
    {
        let at = doc.length(&events);
        insert_item(&mut doc, &events, at, event)?;
    }
    doc.commit();
    Ok((create, last_change_len(&mut doc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_two_changes_of_plausible_size() {
        let line: Value = serde_json::json!({
            "id": "wo-1", "status": "dispatched", "lat": 35.76, "created_at": 1795305600000_i64,
            "confidential": true, "description": "古城路夜间施工噪音扰民",
            "events": [{"type": "received", "at": 1795305600000_i64, "note": "第1步处理记录"}],
            "edit": {"status": "in_progress",
                     "event": {"type": "progress", "at": 1795311600000_i64, "note": "已联系施工单位"}}
        });
        let (create, edit) = encoded(line.as_object().unwrap()).unwrap();
        // The create change holds the description's 33 UTF-8 bytes and more; the edit is far
        // smaller than the order but holds its own note.
        assert!(create > 33 + 21, "{create}");
        assert!(edit > 21 && edit < create, "{edit} vs {create}");
    }
}
