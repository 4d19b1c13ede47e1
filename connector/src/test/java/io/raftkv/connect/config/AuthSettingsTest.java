package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The connectors' raftkv.auth.* options: both or neither, bounded, and the password never shown. */
class AuthSettingsTest {
  private static final String PASSWORD = "Tr0ub4dor-and-3";

  private static RaftKvSinkConfig sink(Map<String, String> auth) {
    Map<String, String> props = new HashMap<>(Map.of("name", "s", "topics", "t", "raftkv.endpoints",
        "127.0.0.1:7001", "raftkv.ssl.enabled", "false"));
    props.putAll(auth);
    return new RaftKvSinkConfig(props);
  }

  @Test
  void neitherUserNorPasswordMeansNoPasswordUser() {
    AuthSettings auth = AuthSettings.of(sink(Map.of()));
    assertThat(auth).isEqualTo(AuthSettings.NONE);
    assertThat(auth.passwordUser()).isFalse();
    assertThat(auth.problems()).isEmpty();
  }

  @Test
  void userAndPasswordMakeAPasswordUser() {
    AuthSettings auth = AuthSettings.of(sink(Map.of("raftkv.auth.user", "sink", "raftkv.auth.password", PASSWORD)));
    assertThat(auth.passwordUser()).isTrue();
    assertThat(auth.user()).contains("sink");
    assertThat(auth.password().orElseThrow().value()).isEqualTo(PASSWORD);
    assertThat(auth.problems()).isEmpty();
  }

  @Test
  void userWithoutPasswordIsAProblemOfThePasswordOption() {
    assertThat(AuthSettings.of(sink(Map.of("raftkv.auth.user", "sink"))).problems()).containsExactly(
        new OptionProblem("raftkv.auth.password", "raftkv.auth.user is set ('sink') but raftkv.auth.password is "
            + "not: a password user needs its password"));
  }

  @Test
  void passwordWithoutUserIsAProblemOfTheUserOptionThatDoesNotShowIt() {
    List<OptionProblem> problems = AuthSettings.of(sink(Map.of("raftkv.auth.password", PASSWORD))).problems();
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.option()).isEqualTo("raftkv.auth.user");
      assertThat(p.message()).startsWith("raftkv.auth.password is set but raftkv.auth.user is not").doesNotContain(
          PASSWORD);
    });
  }

  @Test
  void userNameOfMoreThanSixtyFourCharactersOrWithAControlCharacterIsRefusedOnTheUserOption() {
    assertThat(AuthSettings.of(sink(Map.of("raftkv.auth.user", "u".repeat(65), "raftkv.auth.password", PASSWORD)))
        .problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("(65 characters): a user name "
            + "is 1 to 64 characters without control characters"));
    assertThat(AuthSettings.of(sink(Map.of("raftkv.auth.user", "bad\nname", "raftkv.auth.password", PASSWORD)))
        .problems()).singleElement().satisfies(p -> {
          assertThat(p.option()).isEqualTo("raftkv.auth.user");
          assertThat(p.message()).startsWith("raftkv.auth.user='bad?name' (8 characters, control characters shown "
              + "as '?')");
        });
  }

  @Test
  void passwordOverTenTwentyFourBytesIsRefusedOnThePasswordOptionWithoutShowingIt() {
    String long1025 = "é".repeat(512) + "x";
    assertThat(AuthSettings.of(sink(Map.of("raftkv.auth.user", "sink", "raftkv.auth.password", long1025)))
        .problems()).singleElement().satisfies(p -> {
          assertThat(p.option()).isEqualTo("raftkv.auth.password");
          assertThat(p.message()).isEqualTo("raftkv.auth.password is 1025 bytes (UTF-8): a password is 1 to 1024 "
              + "bytes").doesNotContain("é");
        });
  }

  @Test
  void neitherTheSettingsNorTheParsedConfigShowThePasswordAsText() {
    RaftKvSinkConfig config = sink(Map.of("raftkv.auth.user", "sink", "raftkv.auth.password", PASSWORD));
    assertThat(AuthSettings.of(config).toString()).contains("sink").contains("[hidden]").doesNotContain(PASSWORD);
    assertThat(config.values().toString()).doesNotContain(PASSWORD);
    assertThat(config.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void aClientForAUserWithoutPasswordIsRefusedNamingThePasswordOption() {
    RaftKvSinkConfig config = sink(Map.of("raftkv.auth.user", "sink"));
    assertThatThrownBy(() -> RaftKvClusterConfig.connect(config)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("raftkv.auth.password: raftkv.auth.user is set ('sink')");
  }
}
