package io.raftkv.certs;

import java.security.KeyPair;
import java.security.cert.X509Certificate;

/** A certificate and the key pair it certifies. */
public record Issued(X509Certificate certificate, KeyPair keys) {}
