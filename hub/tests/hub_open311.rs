//! Open311 GeoReport v2 on the hub, checked field by field against the specification
//! (<https://wiki.open311.org/GeoReport_v2>) in JSON and XML: the city's categories as services
//! with their forms, its orders as requests with the standard filters and status mapping — and
//! never the citizen's name, phone or address, nor a confidential order; submissions keyed per
//! integrating system, recorded as an intake its service identity signs, the contact sealed.

use hotline_core::device::Device;
use hotline_core::model::Role;
use hotline_hub::{RunningHub, SERVICES_DIR};
use hotline_testkit::hub::*;
use hotline_testkit::*;
use serde::Deserialize;
use serde_json::Value;

const NAME: &str = "王秀英";
const PHONE: &str = "13912345678";
const ADDRESS: &str = "古城路";

async fn fetch(hub: &RunningHub, path: &str) -> (u16, String, String) {
    let resp = reqwest::get(format!("{}/open311/v2/{path}", hub.url()))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    (status, ctype, resp.text().await.unwrap())
}

async fn post(hub: &RunningHub, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let resp = reqwest::Client::new()
        .post(format!("{}/open311/v2/{path}", hub.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn no_personal_data(body: &str) {
    for needle in [NAME, PHONE, ADDRESS] {
        assert!(!body.contains(needle), "{needle} found in {body}");
    }
}

#[derive(Debug, Deserialize)]
struct XmlServices {
    service: Vec<XmlService>,
}
#[derive(Debug, Deserialize)]
struct XmlService {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: String,
    keywords: String,
    group: String,
}
#[derive(Debug, Deserialize)]
struct XmlRequests {
    #[serde(default)]
    request: Vec<XmlRequest>,
}
#[derive(Debug, Deserialize)]
struct XmlRequest {
    service_request_id: String,
    status: String,
    status_notes: String,
    service_name: String,
    service_code: String,
    agency_responsible: Option<String>,
    requested_datetime: Option<String>,
    updated_datetime: Option<String>,
    expected_datetime: Option<String>,
    address_id: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
}
#[derive(Debug, Deserialize)]
struct XmlDefinition {
    service_code: String,
    attributes: XmlAttributes,
}
#[derive(Debug, Deserialize)]
struct XmlAttributes {
    attribute: Vec<XmlAttribute>,
}
#[derive(Debug, Deserialize)]
struct XmlAttribute {
    variable: bool,
    code: String,
    datatype: String,
    required: bool,
    order: u32,
    description: String,
    values: Option<XmlValues>,
}
#[derive(Debug, Deserialize)]
struct XmlValues {
    value: Vec<XmlValue>,
}
#[derive(Debug, Deserialize)]
struct XmlValue {
    key: String,
    name: String,
}
#[derive(Debug, Deserialize)]
struct XmlErrors {
    error: Vec<XmlError>,
}
#[derive(Debug, Deserialize)]
struct XmlError {
    code: u16,
    description: String,
}

fn rfc3339(v: &str) {
    assert!(
        chrono::DateTime::parse_from_rfc3339(v).is_ok(),
        "{v} is not ISO 8601 with offset"
    );
}

/// A city with the test catalogue, the scene's order dispatched to unit A, a confidential
/// order, and a front end's intake service with its key.
async fn city() -> (Scene, hotline_core::model::OrderId, String) {
    let mut city = City::turpan();
    city.issue_test_catalogue();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    // The WeChat front end's intake service: a kiosk-role identity whose store the hub keeps.
    let cred = city.credential(Role::Kiosk, "center", "intake-wechat");
    let cert = cred.certificate.body.id.clone();
    Device::init(
        &city.data().join(SERVICES_DIR).join(&cert.0),
        &cred,
        t(MORNING),
    )
    .unwrap();
    let (_, token) = city
        .authority
        .issue_api_key("微信公众号 WeChat", &cert, t(MORNING))
        .unwrap();
    let hub = city.hub().await;
    let order = kiosk
        .submit(None, request("小区门口积水严重"), t(MORNING))
        .unwrap()
        .order;
    let mut secret = request("举报某单位违规收费");
    secret.confidential = true;
    let confidential = kiosk.submit(None, secret, t(MORNING)).unwrap().order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;
    (
        Scene {
            city,
            hub,
            kiosk,
            desk,
            staff_a,
            staff_b,
            order,
        },
        confidential,
        token,
    )
}

#[tokio::test]
async fn services_are_the_catalogues_categories_in_json_and_xml() {
    let (s, _, _) = city().await;
    let (st, ctype, body) = fetch(&s.hub, "services.json").await;
    assert_eq!(st, 200);
    assert!(ctype.starts_with("application/json"));
    let services: Vec<Value> = serde_json::from_str(&body).unwrap();
    let noise = services
        .iter()
        .find(|s| s["service_code"] == "020101")
        .unwrap();
    // Every field GeoReport lists for a service, and nothing else.
    let mut fields: Vec<&str> = noise
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "description",
            "group",
            "keywords",
            "metadata",
            "service_code",
            "service_name",
            "type"
        ]
    );
    assert_eq!(noise["service_name"], "夜间施工 Construction at night");
    assert_eq!(noise["metadata"], true);
    assert_eq!(noise["type"], "realtime");
    assert_eq!(noise["keywords"], "complaint,report");
    assert_eq!(noise["group"], "生态环境 Environment");
    assert_eq!(noise["description"], "生态环境 › 噪声污染 › 夜间施工");

    let (st, ctype, xml) = fetch(&s.hub, "services.xml").await;
    assert_eq!(st, 200);
    assert!(ctype.starts_with("text/xml"));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services>"));
    let parsed: XmlServices = quick_xml::de::from_str(&xml).unwrap();
    assert_eq!(parsed.service.len(), services.len());
    let x = parsed
        .service
        .iter()
        .find(|s| s.service_code == "020101")
        .unwrap();
    assert_eq!(
        (
            x.service_name.as_str(),
            x.metadata,
            x.kind.as_str(),
            x.keywords.as_str()
        ),
        (
            "夜间施工 Construction at night",
            true,
            "realtime",
            "complaint,report"
        )
    );
    assert_eq!(
        (x.group.as_str(), x.description.as_str()),
        ("生态环境 Environment", "生态环境 › 噪声污染 › 夜间施工")
    );

    // The definition: the kind (two taken), then the category's form.
    let (st, _, body) = fetch(&s.hub, "services/020101.json").await;
    assert_eq!(st, 200, "{body}");
    let def: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(def["service_code"], "020101");
    let attrs = def["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attrs.iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["kind", "started_at", "sources"]);
    let started = &attrs[1];
    assert_eq!(
        (
            &started["variable"],
            &started["datatype"],
            &started["required"],
            &started["order"]
        ),
        (
            &Value::Bool(true),
            &Value::from("datetime"),
            &Value::Bool(true),
            &Value::from(2)
        )
    );
    assert_eq!(attrs[2]["datatype"], "multivaluelist");
    assert_eq!(attrs[2]["values"][0]["key"], "crane");
    assert_eq!(attrs[2]["values"][0]["name"], "塔吊 Crane");
    let (_, _, xml) = fetch(&s.hub, "services/020101.xml").await;
    let d: XmlDefinition = quick_xml::de::from_str(&xml).unwrap();
    assert_eq!(d.service_code, "020101");
    let a = &d.attributes.attribute[2];
    assert_eq!(
        (
            a.variable,
            a.code.as_str(),
            a.datatype.as_str(),
            a.required,
            a.order
        ),
        (true, "sources", "multivaluelist", false, 3)
    );
    assert_eq!(a.description, "噪声来源 Sources");
    let v = &a.values.as_ref().unwrap().value;
    assert_eq!(
        (v[1].key.as_str(), v[1].name.as_str()),
        ("truck", "渣土车 Truck")
    );

    let (st, _, body) = fetch(&s.hub, "services/9999.json").await;
    assert_eq!(st, 404);
    let err: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(err[0]["code"], 404);
    assert!(
        err[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("open311_service_unknown")
    );
}

#[tokio::test]
async fn requests_carry_the_standard_fields_and_filters_and_nothing_personal() {
    let (s, confidential, _) = city().await;
    let id = s.order.0.clone();
    let (st, _, body) = fetch(&s.hub, "requests.json").await;
    assert_eq!(st, 200, "{body}");
    no_personal_data(&body);
    let list: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        list.len(),
        1,
        "the confidential order is never published: {body}"
    );
    let r = &list[0];
    let mut fields: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "address_id",
            "agency_responsible",
            "expected_datetime",
            "lat",
            "long",
            "requested_datetime",
            "service_code",
            "service_name",
            "service_request_id",
            "status",
            "status_notes",
            "updated_datetime"
        ]
    );
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["status_notes"], "已转办 / dispatched");
    assert_eq!(r["service_code"], "complaint");
    assert_eq!(r["service_name"], "投诉 complaint");
    assert_eq!(r["agency_responsible"], UNIT_A);
    assert_eq!(r["address_id"], "410902001");
    assert_eq!(
        (r["lat"].as_f64(), r["long"].as_f64()),
        (Some(35.76), Some(115.03))
    );
    for f in [
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    ] {
        rfc3339(r[f].as_str().unwrap());
    }
    assert!(
        r["requested_datetime"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-02T09:00:00+08:00")
    );

    let (st, _, xml) = fetch(&s.hub, "requests.xml").await;
    assert_eq!(st, 200);
    no_personal_data(&xml);
    let parsed: XmlRequests = quick_xml::de::from_str(&xml).unwrap();
    let x = &parsed.request[0];
    assert_eq!(
        (
            x.service_request_id.as_str(),
            x.status.as_str(),
            x.status_notes.as_str()
        ),
        (id.as_str(), "open", "已转办 / dispatched")
    );
    assert_eq!(
        (x.service_code.as_str(), x.service_name.as_str()),
        ("complaint", "投诉 complaint")
    );
    assert_eq!(x.agency_responsible.as_deref(), Some(UNIT_A));
    assert_eq!(x.address_id.as_deref(), Some("410902001"));
    assert_eq!((x.lat, x.long), (Some(35.76), Some(115.03)));
    assert_eq!(
        x.requested_datetime.as_deref(),
        r["requested_datetime"].as_str()
    );
    assert_eq!(
        x.updated_datetime.as_deref(),
        r["updated_datetime"].as_str()
    );
    assert_eq!(
        x.expected_datetime.as_deref(),
        r["expected_datetime"].as_str()
    );

    // One request, in both forms; the confidential one is as unknown as a missing one.
    let (st, _, body) = fetch(&s.hub, &format!("requests/{id}.json")).await;
    assert_eq!(st, 200);
    no_personal_data(&body);
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&body).unwrap()[0]["service_request_id"],
        id.as_str()
    );
    let (st, _, xml) = fetch(&s.hub, &format!("requests/{id}.xml")).await;
    assert_eq!(st, 200);
    assert_eq!(
        quick_xml::de::from_str::<XmlRequests>(&xml)
            .unwrap()
            .request
            .len(),
        1
    );
    let (st, _, xml) = fetch(&s.hub, &format!("requests/{}.xml", confidential.0)).await;
    assert_eq!(st, 404);
    let e: XmlErrors = quick_xml::de::from_str(&xml).unwrap();
    assert_eq!(e.error[0].code, 404);
    assert!(e.error[0].description.starts_with("unknown_order"));

    // The standard filters.
    let count = |body: &str| serde_json::from_str::<Vec<Value>>(body).unwrap().len();
    for (query, n) in [
        ("status=open", 1),
        ("status=closed", 0),
        ("status=open,closed", 1),
        ("service_code=complaint", 1),
        ("service_code=inquiry", 0),
        (
            "start_date=2026-03-02T00:00:00%2B08:00&end_date=2026-03-02T23:59:59%2B08:00",
            1,
        ),
        ("start_date=2026-03-03T00:00:00%2B08:00", 0),
        ("end_date=2026-03-01T00:00:00%2B08:00", 0),
    ] {
        let (st, _, body) = fetch(&s.hub, &format!("requests.json?{query}")).await;
        assert_eq!((st, count(&body)), (200, n), "{query}: {body}");
    }
    let (_, _, body) = fetch(
        &s.hub,
        &format!("requests.json?service_request_id={id},{}", confidential.0),
    )
    .await;
    assert_eq!(count(&body), 1);
    let (st, _, body) = fetch(&s.hub, "requests.json?status=lost").await;
    assert_eq!(st, 400);
    assert!(body.contains("api_query_invalid"), "{body}");
    let (st, _, body) = fetch(&s.hub, "requests.json?start_date=yesterday").await;
    assert_eq!(st, 400, "{body}");
    // A window past 90 days would read the whole city's history.
    let (st, _, body) = fetch(&s.hub, "requests.json?start_date=1970-01-01T00:00:00Z").await;
    assert_eq!(st, 400, "{body}");
}

#[tokio::test]
async fn a_front_end_submits_with_its_key_and_its_service_identity_signs() {
    let (mut s, _, token) = city().await;
    let desk_key = s
        .city
        .authority
        .issue_api_key(
            "desk",
            &hotline_core::identity::CertificateId::new(cert_id(&s.desk)),
            t(MORNING),
        )
        .unwrap()
        .1;
    let form = [
        ("api_key", token.as_str()),
        ("service_code", "020101"),
        ("description", "工地夜间施工，噪音很大"),
        ("lat", "35.7612"),
        ("long", "115.0291"),
        ("address_string", "濮阳市华龙区古城路8号工地"),
        ("first_name", "秀英"),
        ("last_name", "王"),
        ("phone", PHONE),
        ("attribute[started_at]", "2026-03-01T22:00:00+08:00"),
        ("attribute[sources]", "crane"),
        ("channel", "wechat"),
    ];
    let (st, body) = post(&s.hub, "requests.json", &form).await;
    assert_eq!(st, 200, "{body}");
    no_personal_data(&body);
    let created: Vec<Value> = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        created[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("回执码")
    );

    // It is an order at the hub: public without the citizen, whole for the center's desk.
    let (st, _, body) = fetch(&s.hub, &format!("requests/{id}.json")).await;
    assert_eq!(st, 200);
    no_personal_data(&body);
    let r: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (r[0]["service_code"].as_str(), r[0]["status"].as_str()),
        (Some("020101"), Some("open"))
    );
    assert_eq!(
        (r[0]["lat"].as_f64(), r[0]["long"].as_f64()),
        (Some(35.76), Some(115.03))
    );
    sync(&s.hub, &mut s.desk).await;
    let order = hotline_core::model::OrderId::new(id.clone());
    let view = s.desk.show(&order).unwrap();
    let details = view.state.details.unwrap();
    assert_eq!(details.channel, hotline_core::model::Channel::Wechat);
    assert_eq!(details.text, "工地夜间施工，噪音很大");
    assert_eq!(view.state.history[0].event.actor.role, Role::Kiosk);
    assert_eq!(view.state.history[0].event.actor.person.0, "intake-wechat");
    let contact = s
        .desk
        .contact(None, &order, "回访 callback", chrono::Utc::now())
        .unwrap();
    assert_eq!(
        (contact.name.as_deref(), contact.phone.as_deref()),
        (Some("秀英 王"), Some(PHONE))
    );

    // A place given by its coordinates alone.
    let by_fix: Vec<(&str, &str)> = form
        .iter()
        .copied()
        .filter(|(k, _)| *k != "address_string")
        .collect();
    let (st, body) = post(&s.hub, "requests.json", &by_fix).await;
    assert_eq!(st, 200, "{body}");
    let (st, _, body) = fetch(&s.hub, "services/%FF.json").await;
    assert_eq!(st, 400);
    assert!(body.contains("api_query_invalid"), "{body}");

    // XML takes the same form.
    let mut f2 = form.to_vec();
    f2[2] = ("description", "第二次反映：夜间施工");
    let (st, xml) = post(&s.hub, "requests.xml", &f2).await;
    assert_eq!(st, 200, "{xml}");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><service_request_id>"),
        "{xml}"
    );
    assert!(xml.contains("<service_notice>回执码"), "{xml}");

    // Refusals, each typed: no key, a key whose identity is no intake service, no such service,
    // no description, a form the category refuses (its required attribute missing).
    let without = |name: &str| {
        form.iter()
            .copied()
            .filter(|(k, _)| *k != name)
            .collect::<Vec<_>>()
    };
    let (st, body) = post(&s.hub, "requests.json", &without("api_key")).await;
    assert_eq!(st, 401);
    assert!(body.contains("api_token_missing"), "{body}");
    let mut with_desk = without("api_key");
    with_desk.push(("api_key", &desk_key));
    let (st, body) = post(&s.hub, "requests.json", &with_desk).await;
    assert_eq!(st, 403);
    assert!(body.contains("open311_intake_not_enabled"), "{body}");
    let mut other = without("service_code");
    other.push(("service_code", "77"));
    let (st, body) = post(&s.hub, "requests.json", &other).await;
    assert_eq!(st, 404, "{body}");
    let (st, body) = post(&s.hub, "requests.json", &without("description")).await;
    assert_eq!(st, 400, "{body}");
    let (st, body) = post(&s.hub, "requests.json", &without("attribute[started_at]")).await;
    assert_eq!(st, 422, "{body}");
    assert!(body.contains("attribute_missing"), "{body}");
    no_personal_data(&body);
}
