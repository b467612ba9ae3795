"""A small city for the Python tests: an authority (the bindings' admin/test tool), people
enrolled with keys their app generated (the `cryptography` package's Ed25519, or `gmssl`'s
SM2 in a city of the national suite, stands in for a key store), their devices, carrying signed changes between devices by hand, and a city hub in
this process for them to sync with instead."""

import datetime
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from gmssl import func, sm2, sm3

import hotline

UNIT_A = "unit-gucheng"
# Photos must be photos: the device and the hub check the type from the first bytes.
JPEG_START = b"\xff\xd8\xff\xe0"
CENTER = "center"

CALLED: set = set()


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)


ENROLLED_AT = at("2026-01-01T00:00:00+08:00")
SET_UP_AT = at("2026-03-01T09:00:00+08:00")
# The in-process hub's clock starts here (it checks certificates against its own clock).
HUB_STARTS_AT = at("2026-03-10T09:00:00+08:00")


class Tracked:
    """Records which exported methods the tests call (checked by test_z_coverage.py)."""

    def __init__(self, inner, prefix: str):
        self._inner = inner
        self._prefix = prefix

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if callable(attr):
            CALLED.add(f"{self._prefix}.{name}")
        return attr


def construct(name: str, value):
    CALLED.add(name)
    return value


# The city's suite: HOTLINE_TEST_CRYPTO=sm runs the whole suite in a city of the national
# algorithms (SM2, SM3, SM4), as the Rust suites do.
SUITE = hotline.CryptoSuite.SM if os.environ.get("HOTLINE_TEST_CRYPTO") == "sm" else hotline.CryptoSuite.ED25519
# The raw public key an app hands over for enrolment: 32 bytes (ed25519) or 04 || x || y (SM2).
KEY_BYTES = 65 if SUITE == hotline.CryptoSuite.SM else 32


class AppCustody(hotline.DeviceKeyCustody):
    """The app's key store: signs, never shows the private key; can be locked like a key that
    needs the user's fingerprint."""

    def __init__(self):
        self.signatures = 0
        self.locked = False
        self._lock = threading.Lock()

    def sign(self, message: bytes) -> bytes:
        if self.locked:
            raise hotline.HotlineError.KeyCustody(
                "key_locked", "设备密钥已锁定，请先验证身份", "the device key is locked; authenticate first"
            )
        with self._lock:
            self.signatures += 1
        return self._sign(message)


class Ed25519Custody(AppCustody):
    """Ed25519 from the `cryptography` package."""

    def __init__(self):
        super().__init__()
        self._key = Ed25519PrivateKey.generate()

    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def _sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


class Sm2Custody(AppCustody):
    """SM2 over SM3 with the default identifier, from the `gmssl` package (written apart from
    the Rust crates hotline uses): signatures are r || s, 64 bytes."""

    def __init__(self):
        super().__init__()
        n = int(sm2.default_ecc_table["n"], 16)
        secret = f"{secrets.randbelow(n - 1) + 1:064x}"
        self._sm2 = sm2.CryptSM2(private_key=secret, public_key="")
        # Set after construction: gmssl's constructor strips leading "0"/"4" characters.
        self._sm2.public_key = self._sm2._kg(int(secret, 16), sm2.default_ecc_table["g"])

    def public_key(self) -> bytes:
        return bytes.fromhex("04" + self._sm2.public_key)

    def _sign(self, message: bytes) -> bytes:
        return bytes.fromhex(self._sm2.sign_with_sm3(message, secrets.token_hex(32)))


def app_custody() -> AppCustody:
    """A key of the city's kind, generated in the app (Keystore or a platform SM2 key on a phone)."""
    return Sm2Custody() if SUITE == hotline.CryptoSuite.SM else Ed25519Custody()


class Member:
    def __init__(self, device, custody, person):
        self.device = device
        self.custody = custody
        self.person = person


class City:
    def __init__(self, preset: str = "turpan"):
        self.root = Path(tempfile.mkdtemp(prefix="hotline-py-"))
        self.authority = Tracked(
            construct("CityAuthority.create", hotline.CityAuthority.create(self.dir("hub"), preset, SUITE)),
            "CityAuthority",
        )

    def dir(self, name: str) -> str:
        return str(self.root / name)

    def request(self, person, role, unit):
        return hotline.EnrolmentRequest(
            role=role, unit=unit, person=person, display_name=f"{person} 测试", area="4109",
            not_before=ENROLLED_AT, valid_days=365,
        )

    async def member(self, person, role, unit) -> Member:
        custody = app_custody()
        credential = self.authority.enrol(self.request(person, role, unit), ENROLLED_AT, custody.public_key())
        device = await hotline.HotlineDevice.set_up(self.dir(person), credential, SET_UP_AT, custody)
        CALLED.add("HotlineDevice.set_up")
        return Member(Tracked(device, "HotlineDevice"), custody, person)

    async def start_hub(self):
        """A city hub in this process on the authority's folder (the bindings' test tool)."""
        hub = await hotline.TestHub.start(self.dir("hub"), HUB_STARTS_AT)
        CALLED.add("TestHub.start")
        return Tracked(hub, "TestHub")

    async def introduce(self, *members):
        certificates = self.authority.issued_certificates()
        units = self.authority.unit_directory()
        for m in members:
            for c in certificates:
                await m.device.add_certificate(c)
            await m.device.update_unit_directory(units)

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


async def center_desk(city: City) -> Member:
    """The dispatcher signs with the app's key; the callback agent shares the desk with a key
    file the city generated — `who` says which of the two acts."""
    desk = await city.member("dispatcher-1", hotline.Role.DISPATCHER, CENTER)
    credential = city.authority.enrol(city.request("callback-1", hotline.Role.CALLBACK, CENTER), ENROLLED_AT)
    await hotline.HotlineDevice.set_up(city.dir("dispatcher-1"), credential, SET_UP_AT, desk.custody)
    device = await hotline.HotlineDevice.open(city.dir("dispatcher-1"), desk.custody)
    CALLED.add("HotlineDevice.open")
    return Member(Tracked(device, "HotlineDevice"), desk.custody, "dispatcher-1")


async def carry(source: Member, target: Member, order, now):
    return await target.device.import_changes(await source.device.export_changes(order), now)


def gps(lat, lon):
    return hotline.GpsFix(lat=lat, lon=lon, accuracy_m=8.5, source=hotline.GpsSource.GNSS, mock=False)


def content_name(data: bytes) -> str:
    """A photo's name as the city makes it: SHA-256 hex, or `sm3:` and SM3 hex (gmssl's)."""
    if SUITE == hotline.CryptoSuite.SM:
        return "sm3:" + sm3.sm3_hash(func.bytes_to_list(data))
    return hashlib.sha256(data).hexdigest()


def photo(data: bytes, when: str, lat=35.76, lon=115.03):
    return hotline.PhotoInput(
        source=hotline.PhotoSource.BYTES(JPEG_START + data), media_type="image/jpeg", captured_at=at(when), gps=gps(lat, lon)
    )


def complaint(text="古城路夜间施工噪音扰民已持续两周"):
    return hotline.SubmitRequest(
        kind=hotline.RequestKind.COMPLAINT,
        text=text,
        location=hotline.Location(address="濮阳市华龙区古城路1号", division_code="410902001", gps=gps(35.76, 115.03)),
        contact=hotline.ContactDetails(name="王秀英", phone="13912345678", id_number=None),
        photos=[photo(b"jpeg bytes of the site", "2026-03-02T08:55:00+08:00")],
    )


def dispatch_to(unit):
    return hotline.WorkflowAction.DISPATCH(lead=unit, co_units=[], leader_approval=False, note="请核实处理")
