// Pure-JVM key custodies standing in for the phone's key store: the JDK's own Ed25519 (Java
// 15+), or SM2 from BouncyCastle (Debian's libbcprov-java) in a city of the national suite.
// The private key never leaves the object; the core only ever asks it to sign.
package hotline.test

import hotline.CryptoSuite
import hotline.DeviceKeyCustody
import hotline.HotlineException
import org.bouncycastle.asn1.gm.GMNamedCurves
import org.bouncycastle.crypto.digests.SM3Digest
import org.bouncycastle.crypto.generators.ECKeyPairGenerator
import org.bouncycastle.crypto.params.ECDomainParameters
import org.bouncycastle.crypto.params.ECKeyGenerationParameters
import org.bouncycastle.crypto.params.ECPrivateKeyParameters
import org.bouncycastle.crypto.params.ECPublicKeyParameters
import org.bouncycastle.crypto.params.ParametersWithRandom
import org.bouncycastle.crypto.signers.PlainDSAEncoding
import org.bouncycastle.crypto.signers.SM2Signer
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.PublicKey
import java.security.SecureRandom
import java.security.Signature
import java.util.concurrent.atomic.AtomicInteger

/** The city's suite: HOTLINE_TEST_CRYPTO=sm runs every test in a city of SM2, SM3 and SM4. */
val SUITE: CryptoSuite = if (System.getenv("HOTLINE_TEST_CRYPTO") == "sm") CryptoSuite.SM else CryptoSuite.ED25519

/** The raw public key an app hands over for enrolment: 32 bytes, or 04 ‖ x ‖ y for SM2. */
val KEY_BYTES: Int = if (SUITE == CryptoSuite.SM) 65 else 32

/** A photo's name as the city makes it: SHA-256 hex, or `sm3:` and SM3 hex (BouncyCastle's). */
fun contentName(data: ByteArray): String {
    fun hex(bytes: ByteArray) = bytes.joinToString("") { "%02x".format(it) }
    if (SUITE != CryptoSuite.SM) return hex(java.security.MessageDigest.getInstance("SHA-256").digest(data))
    val sm3 = SM3Digest()
    sm3.update(data, 0, data.size)
    val out = ByteArray(sm3.digestSize)
    sm3.doFinal(out, 0)
    return "sm3:" + hex(out)
}

/** A key of the city's kind, generated in the app. */
fun appCustody(): AppCustody = if (SUITE == CryptoSuite.SM) BcSm2Custody() else JdkEd25519Custody()

/** What every app key does here: count signatures, and refuse while locked. */
abstract class AppCustody : DeviceKeyCustody {
    val signatures = AtomicInteger()

    @Volatile
    var locked = false

    protected abstract fun signUnlocked(message: ByteArray): ByteArray

    override fun sign(message: ByteArray): ByteArray {
        // What a Keystore key that needs the user's fingerprint does when nobody gave it.
        if (locked) {
            throw HotlineException.KeyCustody("key_locked", "设备密钥已锁定，请先验证身份", "the device key is locked; authenticate first")
        }
        signatures.incrementAndGet()
        return signUnlocked(message)
    }
}

/** The raw 32-byte key: the JDK encodes it as X.509 SubjectPublicKeyInfo, key last. */
fun rawEd25519(key: PublicKey): ByteArray {
    val encoded = key.encoded
    return encoded.copyOfRange(encoded.size - 32, encoded.size)
}

class JdkEd25519Custody : AppCustody() {
    private val pair: KeyPair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair()

    override fun publicKey(): ByteArray = rawEd25519(pair.public)

    override fun signUnlocked(message: ByteArray): ByteArray = Signature.getInstance("Ed25519").run {
        initSign(pair.private)
        update(message)
        sign()
    }
}

/** SM2 over SM3 with BouncyCastle's default identifier 1234567812345678; r ‖ s, 64 bytes. */
class BcSm2Custody : AppCustody() {
    private val random = SecureRandom()
    private val secret: ECPrivateKeyParameters
    private val public: ECPublicKeyParameters

    init {
        val curve = GMNamedCurves.getByName("sm2p256v1")
        val domain = ECDomainParameters(curve.curve, curve.g, curve.n, curve.h)
        val generator = ECKeyPairGenerator()
        generator.init(ECKeyGenerationParameters(domain, random))
        val pair = generator.generateKeyPair()
        secret = pair.private as ECPrivateKeyParameters
        public = pair.public as ECPublicKeyParameters
    }

    override fun publicKey(): ByteArray = public.q.getEncoded(false)

    override fun signUnlocked(message: ByteArray): ByteArray {
        val signer = SM2Signer(PlainDSAEncoding.INSTANCE, SM3Digest())
        signer.init(true, ParametersWithRandom(secret, random))
        signer.update(message, 0, message.size)
        return signer.generateSignature()
    }
}
