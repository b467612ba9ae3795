//! The day itself: a kiosk complaint made offline reaches the center, is dispatched, handled,
//! verified on site (partly by a village device that only ever exchanges bundle files), rated,
//! reopened, supervised on site and closed.

use chrono::{DateTime, Utc};
use hotline_core::Coded;
use hotline_core::device::{Device, PhotoInput, PhotoSource, SiteSupervisionInput, SubmitRequest};
use hotline_core::error::ErrorCode;
use hotline_core::identity::ContactDetails;
use hotline_core::model::{
    Action, CaseInfo, Channel, ContactMethod, GpsFix, Location, NotAcceptedReason, OrderId,
    ReplyContent, RequestKind, ReturnRequest, Satisfaction, SupervisionForm, SupervisionTrigger,
    UnitId, Urgency,
};
use hotline_core::sync::bundle;
use std::path::{Path, PathBuf};

use super::cast::{Cast, Member, UNIT_GUCHENG};
use super::narrate::Narrator;
use super::net::Net;
use crate::output::CliError;

/// A Beijing-time instant on the demo's days (Monday 2 and Tuesday 3 March 2026).
fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-03-{day:02}T{h:02}:{m:02}:00+08:00"))
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn photo(dir: &Path, name: &str, seed: u8) -> Result<PathBuf, CliError> {
    // A stand-in for a camera JPEG: a JPEG header and some bytes, enough to hash and move.
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..96 * 1024).map(|i: u32| (i as u8).wrapping_mul(seed)));
    bytes.extend([0xFF, 0xD9]);
    std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| io(&path, &e))?;
    Ok(path)
}

fn io(path: &Path, e: &std::io::Error) -> CliError {
    CliError::new(
        ErrorCode::FileIo,
        format!("无法写入 {}：{e}", path.display()),
        format!("cannot write {}: {e}", path.display()),
    )
}

fn jpeg(path: PathBuf, taken: DateTime<Utc>, gps: GpsFix) -> PhotoInput {
    PhotoInput {
        source: PhotoSource::Path(path),
        media_type: "image/jpeg".into(),
        captured_at: Some(taken),
        gps: Some(gps),
    }
}

fn note(s: &str) -> String {
    s.to_string()
}

/// What the day produced, for the final report.
pub struct Outcome {
    pub orders: Vec<OrderId>,
}

pub async fn play(
    cast: &mut Cast,
    net: &Net,
    folder: &Path,
    say: &mut Narrator,
) -> Result<Outcome, CliError> {
    let mut day = Day {
        cast,
        net,
        folder,
        photos: folder.join("photos"),
        site: GpsFix::manual(35.7613, 115.0297),
        say,
    };
    day.knowledge_base().await?;
    let (complaint, fight) = day.morning_at_the_kiosk().await?;
    day.answered_on_the_spot().await?;
    day.center_dispatches(&complaint, &fight).await?;
    day.return_denied(&complaint).await?;
    day.signed_for(&complaint).await?;
    day.site_check(&complaint).await?;
    day.village_by_stick(&complaint).await?;
    day.reply_and_reopen(&complaint).await?;
    day.tuesday_closes(&complaint).await?;
    day.catch_up().await?;
    Ok(Outcome {
        orders: vec![complaint, fight],
    })
}

/// Who is in the day, where its files go, and who tells it; one method per scene.
struct Day<'a> {
    cast: &'a mut Cast,
    net: &'a Net,
    folder: &'a Path,
    photos: PathBuf,
    /// Where the complaint is, as a GPS fix.
    site: GpsFix,
    say: &'a mut Narrator,
}

impl Day<'_> {
    /// The center keeps the knowledge base: an item on night-time construction, published
    /// before the day starts; every device receives it at its next sync, the kiosk included.
    async fn knowledge_base(&mut self) -> Result<(), CliError> {
        let t = at(2, 8, 0);
        let item = self.cast.dispatcher.device.kb_publish(
            None,
            hotline_core::device::KbDraft {
                id: "kb-night-construction".into(),
                unit: None,
                title: "夜间施工噪声规定".into(),
                answer: "夜间（22时至次日6时）禁止在噪声敏感建筑物集中区域进行产生噪声污染的建筑施工作业，\
                         因生产工艺要求或者其他特殊需要必须连续施工的，须取得证明并公告附近居民。"
                    .into(),
                fields: hotline_core::kb::KbFields {
                    legal_basis: "《中华人民共和国噪声污染防治法》第四十三条".into(),
                    place: "市生态环境局执法支队".into(),
                    ..Default::default()
                },
                ..Default::default()
            },
            t,
        )?;
        self.say.step(
            t,
            &self.cast.dispatcher,
            &format!("发布知识库条目「{}」第 {} 版", item.title, item.version),
            &format!(
                "publishes knowledge-base item {} version {}",
                item.id, item.version
            ),
        );
        self.net.sync(&mut self.cast.dispatcher, t, self.say).await
    }

    /// After its sync the kiosk holds the knowledge base: a citizen's question is answered on
    /// the spot from it (即时答复), which counts for the direct-answer rate.
    async fn answered_on_the_spot(&mut self) -> Result<(), CliError> {
        let t = at(2, 9, 10);
        let question = "晚上几点以后工地不能施工？";
        let kiosk = &mut self.cast.kiosk.device;
        let Some(hit) = kiosk.kb_search(question, 1, t)?.into_iter().next() else {
            return Err(CliError::new(
                ErrorCode::KbItemUnknown,
                "演示中的知识库条目未送达自助终端",
                "the demo's knowledge-base item did not reach the kiosk",
            ));
        };
        let sub = kiosk.answer_from_kb(
            None,
            SubmitRequest {
                kind: RequestKind::Inquiry,
                urgency: Urgency::Normal,
                channel: Channel::Kiosk,
                text: question.into(),
                location: Location {
                    address: "古城街道便民服务中心".into(),
                    division_code: Some("410902001".into()),
                    gps: None,
                },
                contact: None,
                confidential: false,
                origin: hotline_core::model::Origin::Local,
                emergency_category: None,
                photos: vec![],
                category: None,
            },
            &hit.item.id,
            hit.item.version,
            t,
        )?;
        self.say.step(
            t,
            &self.cast.kiosk,
            &format!(
                "即时答复咨询「{question}」：知识库「{}」第 {} 版；查询码 {}",
                hit.item.title, hit.item.version, sub.receipt
            ),
            &format!(
                "answers an inquiry on the spot from {} v{}; receipt {}",
                hit.item.id, hit.item.version, sub.receipt
            ),
        );
        self.net.sync(&mut self.cast.kiosk, t, self.say).await
    }

    /// The kiosk, offline, takes a complaint with a photo and a help request; it syncs at 09:05.
    async fn morning_at_the_kiosk(&mut self) -> Result<(OrderId, OrderId), CliError> {
        let t = at(2, 8, 30);
        let sub = self.cast.kiosk.device.submit(
            None,
            SubmitRequest {
                kind: RequestKind::Complaint,
                urgency: Urgency::Normal,
                channel: Channel::Kiosk,
                text:
                    "古城路与人民路交叉口工地夜间施工噪音扰民，已持续两周，晚上十一点后仍在作业。"
                        .into(),
                location: Location {
                    address: "濮阳市华龙区古城路与人民路交叉口".into(),
                    division_code: Some("410902001".into()),
                    gps: Some(self.site),
                },
                contact: Some(ContactDetails {
                    name: Some("张女士".into()),
                    phone: Some("13903931234".into()),
                    id_number: None,
                }),
                confidential: false,
                origin: hotline_core::model::Origin::Local,
                emergency_category: None,
                photos: vec![jpeg(
                    photo(&self.photos, "kiosk-0830.jpg", 7)?,
                    t,
                    self.site,
                )],
                category: None,
            },
            t,
        )?;
        let complaint = sub.order.clone();
        self.say.step(
            t,
            &self.cast.kiosk,
            &format!(
                "（离线）受理投诉：夜间施工噪音，附照片 1 张；查询码 {}",
                sub.receipt
            ),
            &format!(
                "(offline) complaint about night-time construction noise with 1 photo; receipt {}",
                sub.receipt
            ),
        );
        let t = at(2, 8, 45);
        let sub2 = self.cast.kiosk.device.submit(
            None,
            SubmitRequest {
                kind: RequestKind::Help,
                urgency: Urgency::Normal,
                channel: Channel::Kiosk,
                text: "楼下有人打架斗殴，请派人处理。".into(),
                location: Location {
                    address: "濮阳市华龙区人民路 18 号".into(),
                    division_code: Some("410902001".into()),
                    gps: None,
                },
                contact: None,
                confidential: false,
                origin: hotline_core::model::Origin::Local,
                emergency_category: None,
                photos: vec![],
                category: None,
            },
            t,
        )?;
        let fight = sub2.order.clone();
        self.say.step(
            t,
            &self.cast.kiosk,
            &format!("（离线）受理求助：打架斗殴；查询码 {}", sub2.receipt),
            &format!(
                "(offline) help request about a street fight; receipt {}",
                sub2.receipt
            ),
        );
        let t = at(2, 9, 5);
        self.net.sync(&mut self.cast.kiosk, t, self.say).await?;
        Ok((complaint, fight))
    }

    /// The center registers and dispatches the complaint; the fight belongs to 110.
    async fn center_dispatches(
        &mut self,
        complaint: &OrderId,
        fight: &OrderId,
    ) -> Result<(), CliError> {
        let t = at(2, 9, 10);
        self.net
            .sync(&mut self.cast.dispatcher, t, self.say)
            .await?;
        act(
            &mut self.cast.dispatcher,
            complaint,
            Action::Register {
                note: note("已受理"),
            },
            t,
            self.say,
            "受理投诉",
            "registered the complaint",
        )?;
        act(
            &mut self.cast.dispatcher,
            complaint,
            Action::Dispatch {
                separate_units: Vec::new(),
                statutory_limit: None,
                lead: UnitId::new(UNIT_GUCHENG),
                co_units: vec![],
                leader_approval: false,
                note: note("请核实工地夜间施工情况并依法处理"),
                duty_report: None,
                coordination: None,
                override_reason: None,
            },
            t,
            self.say,
            "转办古城路街道（主办）",
            "dispatched to Gucheng Street (lead)",
        )?;
        act(
            &mut self.cast.dispatcher,
            fight,
            Action::NotAccept {
                reason: NotAcceptedReason::EmergencyServices,
                basis: note(
                    "《吐鲁番市12345政务服务便民热线管理办法》第十三条：属于110紧急警务事项，已告知诉求人拨打110",
                ),
                earlier_order: None,
                stated_reason: None,
            },
            t,
            self.say,
            "求助不予受理：属110紧急警务事项，已告知依据",
            "did not accept the help request: a 110 police matter, basis given",
        )?;
        self.net
            .sync(&mut self.cast.dispatcher, t, self.say)
            .await?;
        Ok(())
    }

    /// The township asks to hand the complaint back; the center says no.
    async fn return_denied(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(2, 9, 40);
        turn(
            self.net,
            &mut self.cast.staff_a,
            complaint,
            Action::RequestReturn(ReturnRequest {
                reason: note("工地施工许可由住建部门审批"),
                basis: note("《建筑工程施工许可管理办法》"),
                leader_opinion: note("同意退回"),
                suggestion: note("建议转住建局"),
                phone: note("0393-8881234"),
                called_center: true,
            }),
            t,
            self.say,
            "申请退回：认为属住建部门职责",
            "asked to return it: building permits are the housing bureau's",
        )
        .await?;
        let t = at(2, 10, 10);
        turn(
            self.net,
            &mut self.cast.dispatcher,
            complaint,
            Action::DecideReturn {
                add_co_units: Vec::new(),
                approve: false,
                note: note("夜间施工噪音属街道属地管理，请继续办理"),
                amend_catalogue: None,
            },
            t,
            self.say,
            "不同意退回",
            "denied the return: night noise is the street office's to handle",
        )
        .await?;
        Ok(())
    }

    /// Sign-for by the unit head; another unit's staff never receives it.
    async fn signed_for(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(2, 10, 30);
        turn(
            self.net,
            &mut self.cast.head_a,
            complaint,
            Action::SignFor {
                note: note("已签收，安排王强办理"),
            },
            t,
            self.say,
            "签收工单",
            "signed for the order",
        )
        .await?;
        self.net.sync(&mut self.cast.staff_b, t, self.say).await?;
        match self.cast.staff_b.device.show(complaint) {
            Ok(_) => self.say.step(
                t,
                &self.cast.staff_b,
                "意外：看到了不该看到的工单",
                "unexpected: saw an order of another unit",
            ),
            Err(e) => self.say.refused(
                t,
                &self.cast.staff_b,
                e.code(),
                "胜利路街道设备上没有该工单（不同步给无关单位）",
                "Shengli Street's phone never received the order (not its unit)",
            ),
        }
        Ok(())
    }

    /// Staff A calls the citizen and checks on site, with a photo.
    async fn site_check(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(2, 11, 0);
        self.net.sync(&mut self.cast.staff_a, t, self.say).await?;
        let contact = self.cast.staff_a.device.contact(
            None,
            complaint,
            "联系诉求人核实情况 / calling the citizen to check the facts",
            t,
        )?;
        self.say.step(
            t,
            &self.cast.staff_a,
            &format!(
                "查看诉求人联系方式（派单时密封给本单位）：{}",
                contact.name.as_deref().unwrap_or("")
            ),
            "opened the citizen's contact, sealed to the unit on dispatch",
        );
        act(
            &mut self.cast.staff_a,
            complaint,
            Action::Contact {
                method: ContactMethod::Phone,
                reached: true,
                note: note("已电话联系张女士，约定下午现场核实"),
            },
            t,
            self.say,
            "电话联系诉求人",
            "phoned the citizen",
        )?;
        let t = at(2, 14, 0);
        let v = self.cast.staff_a.device.add_evidence(
            None,
            complaint,
            vec![jpeg(
                photo(&self.photos, "site-1400.jpg", 13)?,
                t,
                GpsFix::manual(35.76128, 115.02981),
            )],
            Some(GpsFix::manual(35.76128, 115.02981)),
            note("现场核实：工地夜间仍有混凝土浇筑作业"),
            t,
        )?;
        let sha = v
            .state
            .site_evidence
            .last()
            .and_then(|e| e.content.photos.first())
            .map(|p| p.sha256.clone())
            .unwrap_or_default();
        self.say.step(
            t,
            &self.cast.staff_a,
            &format!(
                "现场核实，照片哈希 {}…、GPS、时间写入签名记录",
                &sha[..12.min(sha.len())]
            ),
            &format!(
                "site check; photo hash {}…, GPS and time inside the signed record",
                &sha[..12.min(sha.len())]
            ),
        );
        Ok(())
    }

    /// The village grid worker has no network: records travel by USB stick.
    async fn village_by_stick(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(2, 14, 30);
        let village_node = self.cast.village.device.node_id()?;
        let phone_node = self.cast.staff_a.device.node_id()?;
        let to_village = self.folder.join("bundles").join("to-village.hlb");
        std::fs::create_dir_all(self.folder.join("bundles"))
            .map_err(|e| io(&self.folder.join("bundles"), &e))?;
        let r = bundle::export(&self.cast.staff_a.device, &village_node, &to_village, t)?;
        self.say.step(
            t,
            &self.cast.staff_a,
            &format!(
                "导出离线数据包给李庄村（{} 条记录，{} 字节）",
                r.changes, r.bytes
            ),
            &format!(
                "exported a bundle for Lizhuang village ({} records, {} bytes)",
                r.changes, r.bytes
            ),
        );
        let r = bundle::import(&mut self.cast.village.device, &to_village, t)?;
        self.say.step(
            t,
            &self.cast.village,
            &format!("导入数据包：应用 {} 条，全部验签通过", r.applied),
            &format!(
                "imported the bundle: {} records applied, all signatures verified",
                r.applied
            ),
        );
        let t = at(2, 15, 10);
        act(
            &mut self.cast.village,
            complaint,
            Action::Contact {
                method: ContactMethod::Visit,
                reached: true,
                note: note("走访工地周边住户 6 户，均反映夜间噪音"),
            },
            t,
            self.say,
            "（离线）走访周边住户",
            "(offline) visited neighbouring households",
        )?;
        let back = self.folder.join("bundles").join("from-village.hlb");
        let r = bundle::export(&self.cast.village.device, &phone_node, &back, t)?;
        self.say.step(
            t,
            &self.cast.village,
            &format!("导出数据包交回街道（{} 条记录）", r.changes),
            &format!(
                "exported a bundle back to the street office ({} records)",
                r.changes
            ),
        );
        let t = at(2, 15, 40);
        let r = bundle::import(&mut self.cast.staff_a.device, &back, t)?;
        self.say.step(
            t,
            &self.cast.staff_a,
            &format!(
                "导入村里的数据包：应用 {} 条，已有 {} 条",
                r.applied, r.already_had
            ),
            &format!(
                "imported the village bundle: {} applied, {} already here",
                r.applied, r.already_had
            ),
        );
        Ok(())
    }

    /// Reply, review, a dissatisfied callback, reopen, on-site supervision ordered.
    async fn reply_and_reopen(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(2, 16, 0);
        act(
            &mut self.cast.staff_a,
            complaint,
            reply(
                t,
                "已责令施工单位停止 22 时后作业，并对其夜间施工行为立案调查",
                Some(CaseInfo::Filed {
                    case_number: "华城管立字〔2026〕第0302号".into(),
                }),
            ),
            t,
            self.say,
            "答复：已责令停工并立案",
            "replied: night work stopped, case opened",
        )?;
        self.net.sync(&mut self.cast.staff_a, t, self.say).await?;
        let t = at(2, 16, 30);
        turn(
            self.net,
            &mut self.cast.dispatcher,
            complaint,
            Action::Review {
                approve: true,
                note: note("答复要素齐全"),
            },
            t,
            self.say,
            "审核通过",
            "approved the reply",
        )
        .await?;
        let t = at(2, 17, 0);
        turn(
            self.net,
            &mut self.cast.callback,
            complaint,
            Action::Callback {
                // Turpan art. 21: the call service is rated apart from the handling.
                service_rating: Some(Satisfaction::Satisfied),
                unit_contacted: Some(true),
                rating: Satisfaction::Dissatisfied,
                note: note("诉求人反映昨晚 23 时仍有施工"),
            },
            t,
            self.say,
            "回访：不满意",
            "callback: dissatisfied",
        )
        .await?;
        let t = at(2, 17, 10);
        self.net
            .sync(&mut self.cast.dispatcher, t, self.say)
            .await?;
        act(
            &mut self.cast.dispatcher,
            complaint,
            Action::Reopen {
                reason: note("诉求人不满意：夜间仍有施工"),
            },
            t,
            self.say,
            "发回重办（3 个工作日）",
            "reopened (3 working days)",
        )?;
        act(
            &mut self.cast.dispatcher,
            complaint,
            Action::Supervise {
                trigger: SupervisionTrigger::DecidedButUnresolved,
                form: SupervisionForm::OnSite,
                note: note("安排督查员现场督办"),
            },
            t,
            self.say,
            "启动现场督办",
            "started on-site supervision",
        )?;
        self.net
            .sync(&mut self.cast.dispatcher, t, self.say)
            .await?;
        Ok(())
    }

    /// Tuesday: the supervisor on site, then the unit finishes the job and it closes.
    async fn tuesday_closes(&mut self, complaint: &OrderId) -> Result<(), CliError> {
        let t = at(3, 9, 30);
        self.net
            .sync(&mut self.cast.supervisor, t, self.say)
            .await?;
        let form_gps = GpsFix::manual(35.76131, 115.02975);
        self.cast.supervisor.device.site_supervision(
            None,
            complaint,
            SiteSupervisionInput {
                place: "古城路与人民路交叉口工地".into(),
                held_at: t,
                people_present: vec![
                    "孙伟（督查员）".into(),
                    "陈静（古城路街道）".into(),
                    "工地项目经理".into(),
                ],
                findings: "工地已停止夜间作业，但未公示施工时间".into(),
                action_taken: "责令当日公示施工时间，街道每晚 22 时巡查一周".into(),
                photos: vec![jpeg(
                    photo(&self.photos, "supervision-0930.jpg", 29)?,
                    t,
                    form_gps,
                )],
                gps: Some(form_gps),
            },
            t,
        )?;
        self.say.step(
            t,
            &self.cast.supervisor,
            "填写现场督办情况表（附照片，GPS、时间签名）",
            "filed the on-site supervision form (photo, GPS, time — signed)",
        );
        self.net
            .sync(&mut self.cast.supervisor, t, self.say)
            .await?;
        let t = at(3, 15, 0);
        turn(
            self.net,
            &mut self.cast.staff_a,
            complaint,
            reply(
                t,
                "施工时间已公示，连续两晚 22 时巡查无夜间施工",
                Some(CaseInfo::Filed {
                    case_number: "华城管立字〔2026〕第0302号".into(),
                }),
            ),
            t,
            self.say,
            "重办答复",
            "replied after the reopen",
        )
        .await?;
        let t = at(3, 15, 30);
        turn(
            self.net,
            &mut self.cast.dispatcher,
            complaint,
            Action::Review {
                approve: true,
                note: note("同意"),
            },
            t,
            self.say,
            "审核通过",
            "approved the reply",
        )
        .await?;
        let t = at(3, 16, 0);
        turn(
            self.net,
            &mut self.cast.callback,
            complaint,
            Action::Callback {
                service_rating: Some(Satisfaction::VerySatisfied),
                unit_contacted: Some(true),
                rating: Satisfaction::Satisfied,
                note: note("诉求人确认夜间已无施工"),
            },
            t,
            self.say,
            "回访：满意，办结",
            "callback: satisfied — closed",
        )
        .await?;
        Ok(())
    }

    /// Everyone but the village catches up before the report.
    async fn catch_up(&mut self) -> Result<(), CliError> {
        let t = at(3, 17, 0);
        for m in self.cast.all_mut() {
            if m.person != "li-zhuang-grid" {
                self.net.sync(m, t, self.say).await?;
            }
        }
        Ok(())
    }
}

fn reply(t: DateTime<Utc>, result: &str, case: Option<CaseInfo>) -> Action {
    Action::Reply(ReplyContent {
        responsible_leader: None,
        handled_at: t,
        unit: UnitId::new(UNIT_GUCHENG),
        handler: "王强".into(),
        result: result.into(),
        legal_basis: "《中华人民共和国噪声污染防治法》第四十三条".into(),
        citizen_informed_how: "电话告知".into(),
        case,
    })
}

/// One person's turn at their device: catch up with the hub, act, hand the record over.
#[allow(clippy::too_many_arguments)]
async fn turn(
    net: &Net,
    m: &mut Member,
    order: &OrderId,
    action: Action,
    t: DateTime<Utc>,
    say: &mut Narrator,
    zh: &str,
    en: &str,
) -> Result<(), CliError> {
    net.sync(m, t, say).await?;
    act(m, order, action, t, say, zh, en)?;
    net.sync(m, t, say).await
}

/// One workflow action, told as it happened.
fn act(
    m: &mut Member,
    order: &OrderId,
    action: Action,
    t: DateTime<Utc>,
    say: &mut Narrator,
    zh: &str,
    en: &str,
) -> Result<(), CliError> {
    let v = m.device.act(None, order, action, t)?;
    say.step(
        t,
        m,
        &format!("{zh} → {}", v.state.status.zh()),
        &format!("{en} → {}", v.state.status.as_str()),
    );
    Ok(())
}

/// The device a member holds, for the report.
pub fn device(m: &Member) -> &Device {
    &m.device
}
