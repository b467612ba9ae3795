// A kiosk takes a complaint and the citizen looks it up, with the device key held by CryptoKit
// (Curve25519.Signing is ed25519) the way an app keeps it in the Keychain. Runs with
// `swift test` on macOS after build-xcframework.sh. NOTE: written against the generated API
// but never compiled — this repository's CI runs on Linux, where only the Swift generation is
// checked. The same flow runs in Kotlin and Python on every CI run.
import CryptoKit
import Foundation
import Hotline
import XCTest

final class CryptoKitCustody: DeviceKeyCustody, @unchecked Sendable {
    let key = Curve25519.Signing.PrivateKey()

    func publicKey() throws -> Data { key.publicKeyRepresentation }

    func sign(message: Data) throws -> Data { try key.signature(for: message) }
}

final class KioskFlowTests: XCTestCase {
    func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func testKioskSubmitsAndTheCitizenLooksItUp() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: root) }
        let authority = try CityAuthority.create(dir: root.appendingPathComponent("hub").path, presetName: "turpan", crypto: .ed25519)
        let custody = CryptoKitCustody()
        let credential = try authority.enrol(
            request: EnrolmentRequest(role: .kiosk, unit: "center", person: "kiosk-1", displayName: "自助终端1",
                                      area: "4109", notBefore: at("2026-01-01T00:00:00+08:00"), validDays: 365),
            now: at("2026-01-01T00:00:00+08:00"),
            deviceKey: try custody.publicKey())
        let kiosk = try await HotlineDevice.setUp(storePath: root.appendingPathComponent("kiosk").path,
                                                   credentialJson: credential,
                                                   now: at("2026-03-01T09:00:00+08:00"), custody: custody)
        let fix = GpsFix(lat: 35.76, lon: 115.03, accuracyM: 8, source: .gnss, mock: false)
        let submitted = try await kiosk.submit(
            request: SubmitRequest(kind: .complaint, text: "古城路夜间施工噪音扰民",
                                   location: Location(address: "濮阳市华龙区古城路1号", divisionCode: "410902001", gps: fix),
                                   contact: ContactDetails(name: "王秀英", phone: "13912345678", idNumber: nil)),
            now: at("2026-03-02T09:00:00+08:00"))
        let status = try await kiosk.status(receipt: submitted.receipt)
        XCTAssertEqual(status.status, "submitted")

        do {
            _ = try await kiosk.act(order: submitted.order,
                                    action: .dispatch(lead: "unit-gucheng", coUnits: [], leaderApproval: false, note: ""),
                                    now: at("2026-03-02T09:05:00+08:00"))
            XCTFail("a kiosk may not dispatch")
        } catch HotlineError.Refused(let code, _, _) {
            XCTAssertEqual(code, "wrong_role")
        }
    }
}
