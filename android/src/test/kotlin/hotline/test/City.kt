// A small city for the JVM tests: an authority (the admin/test tool of the bindings), people
// enrolled with keys their own app generated, their devices, a way to carry signed changes from
// one device to another by hand, and a city hub in this process for them to sync with instead.
package hotline.test

import hotline.CityAuthority
import hotline.EnrolmentRequest
import hotline.HotlineDevice
import hotline.ImportSummary
import hotline.OrderId
import hotline.Role
import hotline.TestHub
import java.io.File
import java.nio.file.Files
import java.time.Instant
import java.time.OffsetDateTime

const val UNIT_A = "unit-gucheng"
const val CENTER = "center"

fun at(text: String): Instant = OffsetDateTime.parse(text).toInstant()

/** Photos must be photos: the device and the hub check the type from the first bytes. */
fun jpeg(content: ByteArray): ByteArray = byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0xFF.toByte(), 0xE0.toByte()) + content

val ENROLLED_AT: Instant = at("2026-01-01T00:00:00+08:00")
val SET_UP_AT: Instant = at("2026-03-01T09:00:00+08:00")
/** The in-process hub's clock starts here (it checks certificates against its own clock). */
val HUB_STARTS_AT: Instant = at("2026-03-10T09:00:00+08:00")

class Member(val device: TrackedDevice, val custody: AppCustody?, val person: String)

class City(preset: String = "turpan") : AutoCloseable {
    val root: File = Files.createTempDirectory("hotline-jvm").toFile()
    val authority = TrackedAuthority(Coverage.construct("CityAuthority.create") { CityAuthority.create(File(root, "hub").path, preset, SUITE) })

    fun dir(name: String): String = File(root, name).path

    fun request(person: String, role: Role, unit: String) =
        EnrolmentRequest(role, unit, person, "$person 测试", "4109", ENROLLED_AT, 365L)

    /** A device whose key the app generated (JDK Ed25519 or BouncyCastle SM2 here, the platform's key store on a phone). */
    suspend fun member(person: String, role: Role, unit: String): Member {
        val custody = appCustody()
        val credential = authority.enrol(request(person, role, unit), ENROLLED_AT, custody.publicKey())
        val device = Coverage.construct("HotlineDevice.setUp") { HotlineDevice.setUp(dir(person), credential, SET_UP_AT, custody) }
        return Member(TrackedDevice(device), custody, person)
    }

    /**
     * The center desk: the dispatcher signs with the app's key, and the callback agent shares
     * the device with a key the city generated (a key file in the store) — `who` says which
     * of the two acts.
     */
    suspend fun centerDesk(): Member {
        val desk = member("dispatcher-1", Role.DISPATCHER, CENTER)
        val callbackCredential = authority.enrol(request("callback-1", Role.CALLBACK, CENTER), ENROLLED_AT)
        desk.device.inner.close()
        Coverage.construct("HotlineDevice.setUp") { HotlineDevice.setUp(dir("dispatcher-1"), callbackCredential, SET_UP_AT, desk.custody) }.close()
        val reopened = Coverage.construct("HotlineDevice.open") { HotlineDevice.open(dir("dispatcher-1"), desk.custody) }
        return Member(TrackedDevice(reopened), desk.custody, "dispatcher-1")
    }

    /** Every certificate issued so far, and the units' sealing keys, known to each device. */
    suspend fun introduce(vararg members: Member) {
        val certificates = authority.issuedCertificates()
        val units = authority.unitDirectory()
        for (m in members) {
            certificates.forEach { m.device.addCertificate(it) }
            m.device.updateUnitDirectory(units)
        }
    }

    private val hubs = mutableListOf<TrackedHub>()

    /** A city hub in this process on the authority's folder (the bindings' test tool). */
    suspend fun startHub(): TrackedHub {
        val hub = TrackedHub(Coverage.construct("TestHub.start") { TestHub.start(dir("hub"), HUB_STARTS_AT) })
        hubs += hub
        return hub
    }

    override fun close() {
        hubs.forEach { it.inner.close() } // a hub not stopped stops when freed
        root.deleteRecursively()
    }
}

/** Carries every signed change of an order from one device to another. */
suspend fun carry(from: Member, to: Member, order: OrderId, now: Instant): ImportSummary =
    to.device.importChanges(from.device.exportChanges(order), now)
