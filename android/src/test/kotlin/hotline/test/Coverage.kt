// Proof that the suite calls every exported method: the tests reach the bindings through
// these wrappers, which record each call. A method added to the Rust API breaks the build here
// (the wrapper no longer implements the interface) until a test calls it.
package hotline.test

import hotline.CancelHandle
import hotline.CityAuthorityInterface
import hotline.EnrolmentRequest
import hotline.HotlineDevice
import hotline.HotlineDeviceInterface
import hotline.InboxFilter
import hotline.OrderChangeListener
import hotline.OrderId
import hotline.PhotoInput
import hotline.ProgressListener
import hotline.SignedChange
import hotline.SiteSupervisionInput
import hotline.SplitPartInput
import hotline.SubmitRequest
import hotline.Timestamp
import hotline.WorkflowAction
import hotline.GpsFix
import hotline.KbDraftInput
import hotline.KnowledgeBase
import hotline.MatchRelation
import hotline.SyncOptions
import hotline.SyncProgressListener
import hotline.TestHub
import hotline.TestHubInterface
import java.util.concurrent.ConcurrentHashMap

object Coverage {
    val called: MutableSet<String> = ConcurrentHashMap.newKeySet()

    fun <T> record(name: String, value: T): T {
        called += name
        return value
    }

    inline fun <T> construct(name: String, make: () -> T): T {
        val made = make()
        called += name
        return made
    }
}

class TrackedDevice(val inner: HotlineDevice) : HotlineDeviceInterface {
    private fun hit(name: String) = Coverage.called.add("HotlineDevice.$name")

    override suspend fun act(order: OrderId, action: WorkflowAction, now: Timestamp, who: String?) =
        inner.act(order, action, now, who).also { hit("act") }
    override suspend fun addCertificate(certificateJson: String) =
        inner.addCertificate(certificateJson).also { hit("addCertificate") }
    override suspend fun addEvidence(order: OrderId, photos: List<PhotoInput>, now: Timestamp, gps: GpsFix?, note: String, who: String?) =
        inner.addEvidence(order, photos, now, gps, note, who).also { hit("addEvidence") }
    override suspend fun contact(order: OrderId, purpose: String, who: String?) =
        inner.contact(order, purpose, who).also { hit("contact") }
    override suspend fun exportChanges(order: OrderId) =
        inner.exportChanges(order).also { hit("exportChanges") }
    override suspend fun identities() = inner.identities().also { hit("identities") }
    override suspend fun deskQueues(at: Timestamp, who: String?, allQueues: Boolean) =
        inner.deskQueues(at, who, allQueues).also { hit("deskQueues") }
    override suspend fun importChange(change: SignedChange, now: Timestamp) =
        inner.importChange(change, now).also { hit("importChange") }
    override suspend fun importChanges(changes: List<SignedChange>, now: Timestamp, progress: ProgressListener?, cancel: CancelHandle?) =
        inner.importChanges(changes, now, progress, cancel).also { hit("importChanges") }
    override suspend fun inbox(filter: InboxFilter) = inner.inbox(filter).also { hit("inbox") }
    override suspend fun overdue(at: Timestamp, filter: InboxFilter) =
        inner.overdue(at, filter).also { hit("overdue") }
    override suspend fun searchKnowledge(query: String, limit: UInt) =
        inner.searchKnowledge(query, limit).also { hit("searchKnowledge") }
    override fun setChangeListener(listener: OrderChangeListener?) =
        inner.setChangeListener(listener).also { hit("setChangeListener") }
    override fun setKnowledgeBase(knowledgeBase: KnowledgeBase?) =
        inner.setKnowledgeBase(knowledgeBase).also { hit("setKnowledgeBase") }
    override suspend fun setRevocations(revocationListJson: String) =
        inner.setRevocations(revocationListJson).also { hit("setRevocations") }
    override suspend fun show(order: OrderId) = inner.show(order).also { hit("show") }
    override suspend fun siteSupervision(order: OrderId, form: SiteSupervisionInput, now: Timestamp, who: String?) =
        inner.siteSupervision(order, form, now, who).also { hit("siteSupervision") }
    override suspend fun status(receipt: String) = inner.status(receipt).also { hit("status") }
    override suspend fun submit(request: SubmitRequest, now: Timestamp, who: String?) =
        inner.submit(request, now, who).also { hit("submit") }
    override suspend fun updateUnitDirectory(directoryJson: String) =
        inner.updateUnitDirectory(directoryJson).also { hit("updateUnitDirectory") }
    override suspend fun verify(cancel: CancelHandle?) = inner.verify(cancel).also { hit("verify") }
    override suspend fun sync(hubUrl: String, who: String?, progress: SyncProgressListener?, cancel: CancelHandle?, options: SyncOptions) =
        inner.sync(hubUrl, who, progress, cancel, options).also { hit("sync") }
    override suspend fun receiptStatus(hubUrl: String, receipt: String, who: String?, cancel: CancelHandle?, options: SyncOptions) =
        inner.receiptStatus(hubUrl, receipt, who, cancel, options).also { hit("receiptStatus") }
    override suspend fun nodeId() = inner.nodeId().also { hit("nodeId") }
    override suspend fun exportBundle(forPeer: String, path: String, now: Timestamp) =
        inner.exportBundle(forPeer, path, now).also { hit("exportBundle") }
    override suspend fun importBundle(path: String, now: Timestamp) =
        inner.importBundle(path, now).also { hit("importBundle") }
    override suspend fun catalogueVersion() = inner.catalogueVersion().also { hit("catalogueVersion") }
    override suspend fun categories(parent: String?) = inner.categories(parent).also { hit("categories") }
    override suspend fun category(code: String) = inner.category(code).also { hit("category") }
    override suspend fun dispatchProposal(order: OrderId) =
        inner.dispatchProposal(order).also { hit("dispatchProposal") }
    override suspend fun merge(duplicate: OrderId, into: OrderId, now: Timestamp, note: String, who: String?) =
        inner.merge(duplicate, into, now, note, who).also { hit("merge") }
    override suspend fun split(order: OrderId, parts: List<SplitPartInput>, now: Timestamp, note: String, who: String?) =
        inner.split(order, parts, now, note, who).also { hit("split") }
    override suspend fun kbPublish(draft: KbDraftInput, now: Timestamp, who: String?) =
        inner.kbPublish(draft, now, who).also { hit("kbPublish") }
    override suspend fun kbPolicyChanged(item: String, on: String, now: Timestamp, note: String, who: String?) =
        inner.kbPolicyChanged(item, on, now, note, who).also { hit("kbPolicyChanged") }
    override suspend fun kbSearch(query: String, limit: UInt, now: Timestamp) =
        inner.kbSearch(query, limit, now).also { hit("kbSearch") }
    override suspend fun kbItem(id: String) = inner.kbItem(id).also { hit("kbItem") }
    override suspend fun kbItems(unit: String?) = inner.kbItems(unit).also { hit("kbItems") }
    override suspend fun kbDuties(now: Timestamp) = inner.kbDuties(now).also { hit("kbDuties") }
    override suspend fun answerFromKb(request: SubmitRequest, item: String, version: UInt, now: Timestamp, who: String?) =
        inner.answerFromKb(request, item, version, now, who).also { hit("answerFromKb") }
    override suspend fun intakeCandidates(request: SubmitRequest, now: Timestamp) =
        inner.intakeCandidates(request, now).also { hit("intakeCandidates") }
    override suspend fun submitMatched(request: SubmitRequest, order: String, relation: MatchRelation, now: Timestamp, who: String?) =
        inner.submitMatched(request, order, relation, now, who).also { hit("submitMatched") }
}

/** The in-process hub (admin / test tool), its calls recorded. */
class TrackedHub(val inner: TestHub) : TestHubInterface {
    private fun hit(name: String) = Coverage.called.add("TestHub.$name")

    override fun url() = inner.url().also { hit("url") }
    override fun nodeId() = inner.nodeId().also { hit("nodeId") }
    override suspend fun stop() = inner.stop().also { hit("stop") }
}

class TrackedAuthority(val inner: hotline.CityAuthority) : CityAuthorityInterface {
    private fun hit(name: String) = Coverage.called.add("CityAuthority.$name")

    override fun enrol(request: EnrolmentRequest, now: Timestamp, deviceKey: ByteArray?) =
        inner.enrol(request, now, deviceKey).also { hit("enrol") }
    override fun issuedCertificates() = inner.issuedCertificates().also { hit("issuedCertificates") }
    override fun revoke(certificateIds: List<String>, now: Timestamp) =
        inner.revoke(certificateIds, now).also { hit("revoke") }
    override fun unitDirectory() = inner.unitDirectory().also { hit("unitDirectory") }
    override fun cryptoSuite() = inner.cryptoSuite().also { hit("cryptoSuite") }
    override fun registerSubUnit(unit: String, approval: String, now: Timestamp) =
        inner.registerSubUnit(unit, approval, now).also { hit("registerSubUnit") }
    override fun issueCatalogue(toml: String, now: Timestamp) =
        inner.issueCatalogue(toml, now).also { hit("issueCatalogue") }
}

/** A cancel handle whose calls are recorded too. */
fun trackedCancel(): CancelHandle = Coverage.construct("CancelHandle.new") { CancelHandle() }

fun CancelHandle.trackedCancel() {
    cancel()
    Coverage.called += "CancelHandle.cancel"
}

fun CancelHandle.trackedIsCancelled(): Boolean = Coverage.record("CancelHandle.isCancelled", isCancelled())
