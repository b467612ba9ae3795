// The center desk across the boundary: the dispatcher's queues (to dispatch, then nothing once
// dispatched) and the warnings of the moment, each naming its seed clause (turpan-2021 art. 29,
// puyang-2020 考核办法四(三)1: overdue).
package hotline.test

import hotline.Grade
import hotline.Queue
import hotline.Role
import hotline.WarningRule
import hotline.WorkflowAction
import kotlin.test.assertEquals
import kotlin.test.assertTrue

fun Suite.centerTests() {
    test("the dispatcher's desk lists what waits for dispatch, then warns when the unit is overdue") {
        City("puyang").use { city ->
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val desk = city.centerDesk()
            city.introduce(kiosk, desk)
            val t0 = at("2026-03-02T09:00:00+08:00")
            val order = kiosk.device.submit(complaint("幸福路口红绿灯坏了三天"), t0).order
            carry(kiosk, desk, order, t0)
            desk.device.act(order, WorkflowAction.Register(""), t0, "dispatcher-1")
            val waiting = desk.device.deskQueues(t0, "dispatcher-1", false)
            assertEquals(listOf(Queue.TO_DISPATCH), waiting.entries.map { it.queue })
            assertEquals(order, waiting.entries[0].order)
            // The callback agent's desk has nothing of the dispatcher's.
            assertTrue(desk.device.deskQueues(t0, "callback-1", false).entries.isEmpty())
            desk.device.act(order, dispatchTo(UNIT_A), t0, "dispatcher-1")
            // Puyang: 5 working days, due Mon 9 Mar 23:59:59; on the 10th it is overdue.
            val late = desk.device.deskQueues(at("2026-03-10T10:00:00+08:00"), "dispatcher-1", false)
            assertTrue(late.entries.none { it.queue == Queue.TO_DISPATCH })
            val overdue = late.warnings.single { it.rule == WarningRule.OVERDUE }
            assertEquals(Grade.WARNING, overdue.grade)
            assertEquals(order, overdue.order)
            assertTrue(overdue.clause.contains("第二十八条"), overdue.clause)
        }
    }
}
