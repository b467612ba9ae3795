// The change listener: an app's inbox screen refreshes when orders change, whether the change
// was made here or arrived from another device.
package hotline.test

import hotline.Status
import hotline.OrderChangeListener
import hotline.OrderId
import hotline.Role
import hotline.WorkflowAction
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class RecordingListener : OrderChangeListener {
    val batches = CopyOnWriteArrayList<List<OrderId>>()
    val threads = CopyOnWriteArrayList<Thread>()
    override fun onOrdersChanged(orders: List<OrderId>) {
        batches += orders
        threads += Thread.currentThread()
    }
}

fun Suite.listenerTests() {
    test("the change listener fires with the order ids after actions and imports") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val desk = city.member("dispatcher-1", Role.DISPATCHER, CENTER)
            city.introduce(kiosk, desk)
            val onKiosk = RecordingListener()
            val onDesk = RecordingListener()
            kiosk.device.setChangeListener(onKiosk)
            desk.device.setChangeListener(onDesk)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val order = kiosk.device.submit(complaint(), t0).order
            assertEquals(listOf(listOf(order)), onKiosk.batches)
            assertTrue(onKiosk.threads.none { it == Thread.currentThread() }, "told on a worker thread, not the caller's")

            carry(kiosk, desk, order, t0)
            assertEquals(listOf(listOf(order)), onDesk.batches, "an import that changed the order")
            carry(kiosk, desk, order, t0)
            assertEquals(1, onDesk.batches.size, "a replay changes nothing and tells nothing")
            desk.device.act(order, WorkflowAction.Register(""), t0)
            assertEquals(2, onDesk.batches.size)
            // A refused action changes nothing.
            runCatching { desk.device.act(order, WorkflowAction.Register(""), t0) }
            assertEquals(2, onDesk.batches.size)
            // Read-only calls tell nothing; removing the listener silences it.
            desk.device.show(order)
            desk.device.setChangeListener(null)
            desk.device.act(order, dispatchTo(UNIT_A), t0)
            assertEquals(2, onDesk.batches.size)
            assertTrue(onKiosk.batches.size == 1)
        }
    }

    test("a listener that throws does not fail the action it is told about") {
        City().use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            kiosk.device.setChangeListener(object : OrderChangeListener {
                override fun onOrdersChanged(orders: List<OrderId>) = throw IllegalStateException("UI gone")
            })
            val order = kiosk.device.submit(complaint(), at("2026-03-02T09:00:00+08:00")).order
            assertEquals(Status.SUBMITTED, kiosk.device.show(order).status)
        }
    }
}
