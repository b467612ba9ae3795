// The hotline Android library on its own (`gradle :assembleRelease` from android/). An app
// includes it instead with `include(":hotline")` + `project(":hotline").projectDir = …` (README).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "hotline"
