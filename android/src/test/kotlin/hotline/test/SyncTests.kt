// Sync through a city hub running in this process (the bindings' TestHub): the whole life of an
// order with every device syncing instead of carrying changes by hand, progress, cancel, the
// kiosk's live receipt lookup, errors from the network and from the hub, and offline bundle
// files from a village to its township.
package hotline.test

import hotline.DeadlineKind
import hotline.Status
import hotline.ContactMethod
import hotline.HotlineException
import hotline.InboxFilter
import hotline.PhotoInput
import hotline.PhotoSource
import hotline.Role
import hotline.Satisfaction
import hotline.SiteSupervisionInput
import hotline.SupervisionForm
import hotline.SupervisionTrigger
import hotline.SyncOptions
import hotline.SyncPhase
import hotline.SyncProgressListener
import hotline.SyncSummary
import hotline.WorkflowAction
import java.io.File
import java.net.ServerSocket
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Records what a sync reports, and on which thread; may cancel once the sync exchanges. */
class RecordingProgress(private val cancelWhenExchanging: hotline.CancelHandle? = null) : SyncProgressListener {
    val heard = CopyOnWriteArrayList<Pair<SyncPhase, SyncSummary>>()
    val threads = CopyOnWriteArrayList<Thread>()
    override fun onSyncProgress(phase: SyncPhase, soFar: SyncSummary) {
        heard += phase to soFar
        threads += Thread.currentThread()
        if (phase == SyncPhase.EXCHANGING) cancelWhenExchanging?.trackedCancel()
    }
}

fun Suite.syncTests() {
    test("kiosk → hub → dispatcher → staff → supervisor → center, every device in step through the hub") {
        City().use { city ->
            val hub = city.startHub()
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val center = city.centerDesk()
            val supervisor = city.member("supervisor-1", Role.SUPERVISOR, CENTER)
            // No `introduce`: certificates and unit keys arrive with the first sync.

            // Kiosk: the complaint (with a photo) goes up; the kiosk keeps nothing else.
            val submitted = kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00"))
            val order = submitted.order
            val up = kiosk.device.sync(hub.url())
            assertEquals(1uL to 1uL, up.pushed to up.photosUp)
            assertEquals(hub.nodeId(), up.hub)
            assertTrue(up.bytesSent > 0uL && up.rounds >= 1u)

            // Center desk: pulls it (and its photo), registers and dispatches, pushes.
            val onCenter = RecordingListener()
            center.device.setChangeListener(onCenter)
            val pulled = center.device.sync(hub.url(), "dispatcher-1")
            assertEquals(1uL to 1uL, pulled.pulled to pulled.photosDown)
            assertEquals(listOf(listOf(order)), onCenter.batches, "the change listener hears the pulled order")
            assertEquals("13912345678", center.device.contact(order, "回访 callback", "dispatcher-1").phone)
            val t1 = at("2026-03-02T10:00:00+08:00")
            center.device.act(order, WorkflowAction.Register("受理"), t1, "dispatcher-1")
            center.device.act(order, dispatchTo(UNIT_A), t1, "dispatcher-1")
            assertEquals(2uL, center.device.sync(hub.url(), "dispatcher-1").pushed)

            // Township phone: the dispatched order arrives with its whole history.
            assertEquals(3uL, staff.device.sync(hub.url()).pulled)
            val row = staff.device.inbox(InboxFilter(unit = UNIT_A)).single()
            assertEquals(order to DeadlineKind.SIGN_FOR, row.order to row.nextDueKind)
            assertEquals("王秀英", staff.device.contact(order, "回访 callback").name)
            staff.device.act(order, WorkflowAction.SignFor("已签收"), at("2026-03-02T11:00:00+08:00"))
            staff.device.act(order, WorkflowAction.Contact(ContactMethod.PHONE, true, "已电话联系诉求人"), at("2026-03-02T11:30:00+08:00"))
            val photo = PhotoInput(PhotoSource.Bytes(jpeg(ByteArray(300_000) { (it % 251).toByte() })), "image/jpeg", at("2026-03-03T15:00:00+08:00"), gps(35.7601, 115.0302))
            staff.device.addEvidence(order, listOf(photo), at("2026-03-03T15:05:00+08:00"), gps(35.7601, 115.0302), "现场核实：施工单位已停止夜间作业")
            val staffUp = staff.device.sync(hub.url())
            assertEquals(3uL to 1uL, staffUp.pushed to staffUp.photosUp)

            // Field supervisor: everything so far, photos included; supervises on site.
            val seen = supervisor.device.sync(hub.url())
            assertEquals(6uL, seen.pulled)
            assertTrue(seen.photosDown >= 2uL, "the kiosk's and the staff's photos: $seen")
            supervisor.device.act(order, WorkflowAction.Supervise(SupervisionTrigger.HOT_ISSUE, SupervisionForm.ON_SITE, "群众反映集中"), at("2026-03-03T16:00:00+08:00"))
            val form = SiteSupervisionInput(
                place = "古城路施工现场", heldAt = at("2026-03-03T16:30:00+08:00"), peoplePresent = listOf("张三"),
                findings = "夜间已停工", actionTaken = "要求书面承诺",
                photos = listOf(PhotoInput(PhotoSource.Bytes(jpeg("site form photo".toByteArray())), "image/jpeg", at("2026-03-03T16:40:00+08:00"), gps(35.76, 115.03))),
                gps = gps(35.76, 115.03),
            )
            supervisor.device.siteSupervision(order, form, at("2026-03-03T17:00:00+08:00"))
            assertEquals(2uL, supervisor.device.sync(hub.url()).pushed)

            // The unit replies; the center reviews and calls back.
            staff.device.sync(hub.url())
            staff.device.act(order, replyOf(UNIT_A), at("2026-03-04T10:00:00+08:00"))
            staff.device.sync(hub.url())
            center.device.sync(hub.url(), "dispatcher-1")
            center.device.act(order, WorkflowAction.Review(true, ""), at("2026-03-04T11:00:00+08:00"), "dispatcher-1")
            val closed = center.device.act(order, WorkflowAction.Callback(Satisfaction.SATISFIED, "回访满意", Satisfaction.VERY_SATISFIED), at("2026-03-05T10:00:00+08:00"), "callback-1")
            assertEquals(Status.CLOSED, closed.status)

            // Everyone syncs (twice: what one pushes, the others pull next time): all in step.
            repeat(2) {
                center.device.sync(hub.url(), "dispatcher-1")
                staff.device.sync(hub.url())
                supervisor.device.sync(hub.url())
                kiosk.device.sync(hub.url())
            }
            val holders = listOf(center, staff, supervisor)
            val views = holders.map { it.device.show(order) }
            assertEquals(setOf(Status.CLOSED), views.map { it.status }.toSet())
            assertEquals(1, views.map { it.stateJson }.toSet().size, "identical state on every device")
            assertEquals(setOf(closed.history.size), views.map { it.history.size }.toSet())
            for (m in holders) {
                // (The desk syncs as one person throughout: sync cursors are kept per person.)
                val settled = m.device.sync(hub.url(), if (m === center) "dispatcher-1" else null)
                assertEquals(0uL to 0uL, settled.pushed to settled.pulled)
                assertEquals(0uL, settled.photosWaiting)
                assertTrue(m.device.verify().ok)
            }

            // The kiosk received nothing (a public device) but looks the receipt up live.
            assertEquals(Status.SUBMITTED, kiosk.device.status(submitted.receipt).status)
            val live = kiosk.device.receiptStatus(hub.url(), submitted.receipt.lowercase())
            assertEquals(Status.CLOSED, live.status)
            assertNull(live.nextDue)
            val mistyped = assertFailsWith<HotlineException.InvalidInput> { kiosk.device.receiptStatus(hub.url(), "ABC") }
            assertTrue(mistyped.code.startsWith("receipt_"), mistyped.code)
            hub.stop()
        }
    }

    test("a sync tells its progress listener every phase in order, on a worker thread") {
        City().use { city ->
            val hub = city.startHub()
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            for (i in 1..3) kiosk.device.submit(complaint("第${i}件诉求"), at("2026-03-02T09:0$i:00+08:00"))
            val progress = RecordingProgress()
            val summary = kiosk.device.sync(hub.url(), progress = progress)
            // Photos are stored by content: the same photo with three orders goes up once.
            assertEquals(3uL to 1uL, summary.pushed to summary.photosUp)
            val phases = progress.heard.map { it.first }
            assertEquals(SyncPhase.CONNECTING, phases.first())
            assertEquals(SyncPhase.DONE to summary, progress.heard.last())
            assertEquals(phases.sortedBy { it.ordinal }, phases, "phases only move forward: $phases")
            assertTrue(phases.containsAll(listOf(SyncPhase.EXCHANGING, SyncPhase.SENDING_PHOTOS, SyncPhase.FETCHING_PHOTOS)))
            val ups = progress.heard.map { it.second.photosUp }
            assertEquals(ups.sorted(), ups, "counts only grow")
            assertTrue(progress.threads.none { it == Thread.currentThread() }, "told on a worker thread")
            hub.stop()
        }
    }

    test("a CancelHandle stops a sync before it starts and from the progress listener; the next sync resumes") {
        City().use { city ->
            val hub = city.startHub()
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val order = kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00")).order

            val early = trackedCancel()
            early.trackedCancel()
            val before = assertFailsWith<HotlineException.Cancelled> { kiosk.device.sync(hub.url(), cancel = early) }
            assertEquals("sync_cancelled", before.code)
            assertMessages(before, before.code, before.messageZh, before.messageEn)

            val cancel = trackedCancel()
            val progress = RecordingProgress(cancelWhenExchanging = cancel)
            val during = assertFailsWith<HotlineException.Cancelled> { kiosk.device.sync(hub.url(), null, progress, cancel) }
            assertEquals("sync_cancelled", during.code)
            assertTrue(cancel.trackedIsCancelled())
            assertEquals(listOf(SyncPhase.CONNECTING, SyncPhase.EXCHANGING), progress.heard.map { it.first })

            val resumed = kiosk.device.sync(hub.url())
            assertEquals(1uL to 1uL, resumed.pushed to resumed.photosUp)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            assertEquals(1uL, desk.device.sync(hub.url()).pulled)
            assertEquals(Status.SUBMITTED, desk.device.show(order).status)
            hub.stop()
        }
    }

    test("sync errors are typed: nothing listening is Network, a revoked phone is Refused, a bad address InvalidInput") {
        City().use { city ->
            val hub = city.startHub()
            val staff = city.member("staff-a", Role.STAFF, UNIT_A)
            val nowhere = "http://127.0.0.1:${ServerSocket(0).use { it.localPort }}"
            val offline = assertFailsWith<HotlineException.Network> {
                staff.device.sync(nowhere, options = SyncOptions(maxAttempts = 1u))
            }
            assertEquals("sync_transport", offline.code)
            assertMessages(offline, offline.code, offline.messageZh, offline.messageEn)
            assertEquals("bad_input", assertFailsWith<HotlineException.InvalidInput> { staff.device.sync("hub.example") }.code)

            staff.device.sync(hub.url())
            val cert = staff.device.identities().single().certificateId
            city.authority.revoke(listOf(cert), at("2026-03-02T10:30:00+08:00"))
            val revoked = assertFailsWith<HotlineException.Refused> { staff.device.sync(hub.url()) }
            assertEquals("certificate_revoked", revoked.code)
            assertMessages(revoked, revoked.code, revoked.messageZh, revoked.messageEn)
            hub.stop()
            hub.stop() // harmless
        }
    }

    test("a bundle carries a village's records to the township; importing it again applies nothing") {
        City().use { city ->
            val village = city.member("kiosk-village", Role.KIOSK, CENTER)
            val township = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            val now = at("2026-03-02T09:00:00+08:00")
            val orders = (1..2).map {
                val request = complaint("村里第${it}件诉求")
                val photo = request.photos.single().copy(source = PhotoSource.Bytes(jpeg("village photo $it".toByteArray())))
                village.device.submit(request.copy(photos = listOf(photo)), now).order
            }
            val file = File(city.root, "usb-stick/village.hlb").apply { parentFile.mkdirs() }.path

            val made = village.device.exportBundle(township.device.nodeId(), file, now)
            assertEquals(village.device.nodeId() to township.device.nodeId(), made.madeBy to made.madeFor)
            assertEquals(2uL to 2uL, made.changes to made.photos)
            assertTrue(made.fileSize > 0uL)

            val told = RecordingListener()
            township.device.setChangeListener(told)
            val first = township.device.importBundle(file, at("2026-03-02T18:00:00+08:00"))
            assertEquals(2uL to 2uL, first.applied to first.photos)
            assertTrue(first.refused.isEmpty())
            assertEquals(orders.toSet(), told.batches.flatten().toSet())
            val second = township.device.importBundle(file, at("2026-03-02T18:05:00+08:00"))
            assertEquals(0uL to 2uL, second.applied to second.alreadyHad)
            assertEquals(1, told.batches.size, "nothing new, nothing told")
            assertEquals(orders.toSet(), township.device.inbox().map { it.order }.toSet())
            township.device.act(orders.first(), WorkflowAction.Register(""), now)

            // A damaged file applies nothing and says so.
            val damaged = File(city.root, "damaged.hlb").apply { writeBytes(File(file).readBytes().dropLast(10).toByteArray()) }
            assertEquals("bundle_damaged", assertFailsWith<HotlineException.InvalidInput> {
                township.device.importBundle(damaged.path, now)
            }.code)
            assertTrue(township.device.verify().ok)
        }
    }
}
