// The device key lives in the app (Android Keystore in production; the JDK's Ed25519 or
// BouncyCastle's SM2 here):
// the core asks it to sign and checks what comes back before anything is written.
package hotline.test

import hotline.Status
import hotline.DeviceKeyCustody
import hotline.HotlineDevice
import hotline.HotlineException
import hotline.Role
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

fun Suite.custodyTests() {
    test("every change is signed by the app's key, and the device reopens with it") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val before = kiosk.custody!!.signatures.get()
            val order = kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00")).order
            assertEquals(before + 1, kiosk.custody.signatures.get())
            kiosk.device.inner.close()
            val reopened = TrackedDevice(Coverage.construct("HotlineDevice.open") { HotlineDevice.open(city.dir("kiosk-1"), kiosk.custody) })
            assertEquals(Status.SUBMITTED, reopened.show(order).status)
            // The app generated a key of the city's kind (SM2 in a city of the national suite).
            assertEquals(SUITE, city.authority.cryptoSuite())
            assertEquals(KEY_BYTES, kiosk.custody.publicKey().size)
            assertTrue(reopened.verify().ok)
            // Without the app's key the person cannot act: no key file exists for them.
            val keyless = TrackedDevice(HotlineDevice.open(city.dir("kiosk-1")))
            assertEquals("device_not_initialised", assertFailsWith<HotlineException.Refused> {
                keyless.submit(complaint(), at("2026-03-02T09:10:00+08:00"))
            }.code)
        }
    }

    test("a locked key, a wrong signature and a crashing key store all fail as KeyCustody") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val now = at("2026-03-02T09:00:00+08:00")
            kiosk.custody!!.locked = true
            val locked = assertFailsWith<HotlineException.KeyCustody> { kiosk.device.submit(complaint(), now) }
            assertEquals("signing_failed", locked.code)
            assertTrue(locked.messageEn.contains("key_locked"), locked.messageEn)
            kiosk.custody.locked = false
            assertTrue(kiosk.device.inbox().isEmpty(), "nothing was written")
            kiosk.device.inner.close()

            val wrongKey = object : DeviceKeyCustody {
                val other = appCustody()
                override fun publicKey() = kiosk.custody.publicKey()
                override fun sign(message: ByteArray) = other.sign(message)
            }
            val forged = HotlineDevice.open(city.dir("kiosk-1"), wrongKey)
            assertEquals("signing_failed", assertFailsWith<HotlineException.KeyCustody> { forged.submit(complaint(), now) }.code)
            forged.close()

            val crashing = object : DeviceKeyCustody {
                override fun publicKey() = kiosk.custody.publicKey()
                override fun sign(message: ByteArray): ByteArray = throw IllegalStateException("keystore service died")
            }
            val broken = HotlineDevice.open(city.dir("kiosk-1"), crashing)
            assertEquals("signing_failed", assertFailsWith<HotlineException.KeyCustody> { broken.submit(complaint(), now) }.code)
            broken.close()

            val short = object : DeviceKeyCustody {
                override fun publicKey() = ByteArray(31)
                override fun sign(message: ByteArray) = ByteArray(64)
            }
            assertEquals("invalid_public_key", assertFailsWith<HotlineException.KeyCustody> { HotlineDevice.open(city.dir("kiosk-1"), short) }.code)
        }
    }
}
