package io.raftkv.connect.config;

/** What is wrong with a config, reported on the option a user must change to fix it. */
public record OptionProblem(String option, String message) {}
