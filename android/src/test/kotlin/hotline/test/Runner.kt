// A tiny test runner, so the JVM suite needs nothing but kotlinc, the Kotlin test and
// coroutines jars that ship with it, and JNA: each test runs in runBlocking, a failure prints
// its stack trace, and the last line is the count CI reads.
package hotline.test

import kotlinx.coroutines.runBlocking
import kotlin.system.exitProcess

class Suite {
    val tests = mutableListOf<Pair<String, suspend () -> Unit>>()

    fun test(name: String, body: suspend () -> Unit) {
        tests += name to body
    }
}

fun main(args: Array<String>) {
    val suite = Suite()
    suite.flowTests()
    suite.actionTests()
    suite.errorTests()
    suite.custodyTests()
    suite.listenerTests()
    suite.cancelTests()
    suite.asyncTests()
    suite.syncTests()
    suite.seedRuleTests()
    suite.catalogueTests()
    suite.centerTests()
    suite.knowledgeTests()
    suite.coverageTests() // last: checks what all the others called
    val only = args.firstOrNull()
    var passed = 0
    var failed = 0
    for ((name, body) in suite.tests) {
        if (only != null && !name.contains(only)) continue
        val started = System.nanoTime()
        try {
            runBlocking { body() }
            passed++
            println("PASS $name (${(System.nanoTime() - started) / 1_000_000} ms)")
        } catch (t: Throwable) {
            failed++
            println("FAIL $name")
            t.printStackTrace(System.out)
        }
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
