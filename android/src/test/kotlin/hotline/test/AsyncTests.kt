// Device calls are suspend functions: they run on Rust's worker threads, so many can be in
// flight at once from one coroutine scope, and the caller's thread never blocks on SQLite.
package hotline.test

import hotline.Status
import hotline.Role
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.withTimeout
import kotlin.test.assertEquals

fun Suite.asyncTests() {
    test("concurrent suspend calls on two devices all complete") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val second = city.member("kiosk-2", Role.KIOSK, CENTER)
            val submitted = withTimeout(60_000) {
                coroutineScope {
                    (1..8).map { i ->
                        async {
                            val device = if (i % 2 == 0) kiosk.device else second.device
                            device.submit(complaint("并发提交第${i}件"), at("2026-03-02T09:00:00+08:00"))
                        }
                    }.awaitAll()
                }
            }
            assertEquals(8, submitted.map { it.order }.toSet().size)
            assertEquals(4, kiosk.device.inbox().size)
            assertEquals(4, second.device.inbox().size)
            val statuses = coroutineScope { submitted.map { s -> async { (if (kiosk.device.inbox().any { it.order == s.order }) kiosk else second).device.status(s.receipt) } }.awaitAll() }
            assertEquals(setOf(Status.SUBMITTED), statuses.map { it.status }.toSet())
        }
    }
}
