// A pure-JVM key custody: the JDK's own Ed25519 (Java 15+), standing in for Android Keystore.
// The private key never leaves this object; the core only ever asks it to sign.
package hotline.test

import hotline.DeviceKeyCustody
import hotline.HotlineException
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.PublicKey
import java.security.Signature
import java.util.concurrent.atomic.AtomicInteger

/** The raw 32-byte key: the JDK encodes it as X.509 SubjectPublicKeyInfo, key last. */
fun rawEd25519(key: PublicKey): ByteArray {
    val encoded = key.encoded
    return encoded.copyOfRange(encoded.size - 32, encoded.size)
}

open class JdkEd25519Custody : DeviceKeyCustody {
    private val pair: KeyPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
    val signatures = AtomicInteger()

    @Volatile
    var locked = false

    override fun publicKey(): ByteArray = rawEd25519(pair.public)

    override fun sign(message: ByteArray): ByteArray {
        // What a Keystore key that needs the user's fingerprint does when nobody gave it.
        if (locked) {
            throw HotlineException.KeyCustody("key_locked", "设备密钥已锁定，请先验证身份", "the device key is locked; authenticate first")
        }
        signatures.incrementAndGet()
        return Signature.getInstance("Ed25519").run {
            initSign(pair.private)
            update(message)
            sign()
        }
    }
}
