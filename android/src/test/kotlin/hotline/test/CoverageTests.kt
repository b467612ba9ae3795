// Every exported method and constructor was called by some test above (see Coverage.kt).
package hotline.test

import hotline.CancelHandleInterface
import hotline.CityAuthority
import hotline.CityAuthorityInterface
import hotline.HotlineDevice
import hotline.HotlineDeviceInterface
import hotline.TestHub
import hotline.TestHubInterface
import java.lang.reflect.Modifier
import kotlin.test.assertTrue

private fun exported(prefix: String, type: Class<*>): Set<String> =
    type.declaredMethods
        .filter { Modifier.isPublic(it.modifiers) && !it.isSynthetic && !it.name.contains('$') }
        // A function taking an unsigned (inline) type gets a mangled JVM name: `search-AbC12`.
        .map { "$prefix.${it.name.substringBefore('-')}" }
        .toSet()

fun Suite.coverageTests() {
    test("the suite called every exported method and constructor") {
        // The authority's `open` is exercised here: reopen the city the first test created.
        City().use { city ->
            Coverage.construct("CityAuthority.open") { CityAuthority.open(city.dir("hub")) }.close()
        }
        val expected = exported("HotlineDevice", HotlineDeviceInterface::class.java) +
            exported("HotlineDevice", HotlineDevice.Companion::class.java) +
            exported("CityAuthority", CityAuthorityInterface::class.java) +
            exported("CityAuthority", CityAuthority.Companion::class.java) +
            exported("CancelHandle", CancelHandleInterface::class.java) +
            exported("TestHub", TestHubInterface::class.java) +
            exported("TestHub", TestHub.Companion::class.java) +
            "CancelHandle.new"
        val missing = expected - Coverage.called
        assertTrue(missing.isEmpty(), "never called: $missing")
        assertTrue(expected.size >= 38, "found the exported methods: $expected")
    }
}
