package io.raftkv.cli;

import io.raftkv.api.AuthStatusResponse;
import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** raftkv auth enable | disable | status. */
@Command(name = "auth", mixinStandardHelpOptions = true,
    description = "Turn authentication and permissions on or off, or show whether they are on.",
    subcommands = {AuthCommand.Enable.class, AuthCommand.Disable.class, AuthCommand.Status.class})
final class AuthCommand {
  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Turn authentication on: every call needs a user allowed to make it (role admin needed).")
  static final class Enable implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      return client.answer(c -> {
        c.auth().enable();
        return "OK authentication enabled";
      });
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Turn authentication off: every caller may do everything (role admin needed).")
  static final class Disable implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      return client.answer(c -> {
        c.auth().disable();
        return "OK authentication disabled";
      });
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Whether authentication is on, and who the cluster takes you for.")
  static final class Status implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
      try (RaftKvClient c = client.connect()) {
        AuthStatusResponse s = c.auth().status();
        System.out.println("authentication: " + (s.getEnabled() ? "enabled" : "disabled")
            + (s.getExplicit() ? "" : " (never set: on exactly when the client port runs TLS)"));
        System.out.println("you are: " + (s.getUser().isEmpty() ? "nobody (no certificate, no user)"
            : "user '" + s.getUser() + "' (roles: " + (s.getRolesCount() == 0 ? "none"
                : String.join(", ", s.getRolesList())) + ")"));
        return ExitCodes.OK;
      }
    }
  }
}
