package io.raftkv.connect.config;

/**
 * A key prefix a connector reads ({@code write} false) or writes, the option that sets it and what its keys are
 * (for messages): the permission its user needs there.
 */
public record PrefixNeed(String prefix, boolean write, String option, String what) {}
