// Categories and the dispatch catalogue through the bindings: the city issues its catalogue,
// a kiosk fills a category's form at intake (typed answers, a typed refusal for a missing
// one), the center's desk sees the answers, gets the catalogue's proposal, merges a repeated
// request into the order (并单) and splits one covering two matters (拆单).
package hotline.test

import hotline.AttributeAnswer
import hotline.CategoryInput
import hotline.HotlineException
import hotline.Role
import hotline.SplitPartInput
import hotline.Status
import hotline.WorkflowAction
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The street catalogue both SDK suites issue (bindings/tests/data, read from the repository root). */
val STREET_CATALOGUE: String = java.io.File("bindings/tests/data/street-catalogue.toml").readText()

fun streetlight(count: String) = CategoryInput(
    "0102",
    listOf(AttributeAnswer("facility", "streetlight"), AttributeAnswer("count", count)),
)

fun Suite.catalogueTests() {
    test("an intake fills its category's form; the catalogue proposes the unit; merge and split") {
        City().use { city ->
            assertEquals(2uL, city.authority.issueCatalogue(STREET_CATALOGUE, ENROLLED_AT))
            val kiosk = city.member("kiosk-1", Role.KIOSK, CENTER)
            val desk = city.centerDesk()
            // The credential carried the newest catalogue: forms work before any sync.
            assertEquals(2uL, kiosk.device.catalogueVersion())
            assertEquals(listOf("0102"), kiosk.device.categories(null).map { it.code })
            val form = kiosk.device.category("0102")
            assertEquals(listOf("facility", "count", "seen_at"), form.attributes.map { it.code })
            assertEquals(listOf("singlevaluelist", "number", "datetime"), form.attributes.map { it.datatype })
            assertTrue(form.attributes[0].required)

            val t0 = at("2026-03-02T09:00:00+08:00")
            val missing = assertFailsWith<HotlineException.Refused> {
                kiosk.device.submit(complaint().copy(category = CategoryInput("0102", emptyList())), t0)
            }
            assertEquals("attribute_missing", missing.code)
            val notANumber = assertFailsWith<HotlineException.Refused> {
                kiosk.device.submit(complaint().copy(category = streetlight("三盏")), t0)
            }
            assertEquals("attribute_bad_value", notANumber.code)

            val first = kiosk.device.submit(complaint("古城路三盏路灯不亮").copy(category = streetlight("3")), t0)
            val repeat = kiosk.device.submit(complaint("古城路路灯坏了").copy(category = streetlight("1")), t0)
            val mixed = kiosk.device.submit(complaint("路灯不亮，路面也有坑"), t0)
            for (o in listOf(first.order, repeat.order, mixed.order)) carry(kiosk, desk, o, t0)

            val details = desk.device.show(first.order).details!!
            assertEquals("0102", details.category!!.code)
            assertEquals(2uL, details.category!!.version)
            assertEquals(
                mapOf("facility" to "streetlight", "count" to "3"),
                details.attributes.associate { it.code to it.value },
            )
            desk.device.act(first.order, WorkflowAction.Register("受理"), t0, "dispatcher-1")
            val proposal = desk.device.dispatchProposal(first.order)!!
            assertEquals(UNIT_A, proposal.lead)
            assertEquals("410902", proposal.division)

            // 并单: the repeat's citizen follows the first order by their own receipt.
            val merged = desk.device.merge(repeat.order, first.order, t0, "同一批路灯", "dispatcher-1")
            assertEquals(1, merged.absorbed.size)
            assertEquals(Status.MERGED, desk.device.show(repeat.order).status)
            val followed = desk.device.status(repeat.receipt)
            assertTrue(followed.merged)
            assertEquals(Status.REGISTERED, followed.status)

            // 拆单: one request about two matters becomes two orders.
            val parts = desk.device.split(
                mixed.order,
                listOf(
                    SplitPartInput("路灯不亮", null, streetlight("2")),
                    SplitPartInput("路面有坑", null, null),
                ),
                t0,
                "一单多事",
                "dispatcher-1",
            )
            assertEquals(2, parts.size)
            assertEquals(mixed.order, desk.device.show(parts[0].order).details!!.splitFrom)
            val listed = desk.device.status(mixed.receipt)
            assertEquals(Status.SPLIT, listed.status)
            assertEquals(listOf(Status.SUBMITTED, Status.SUBMITTED), listed.parts.map { it.status })
        }
    }
}
