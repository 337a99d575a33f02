// The .env syntax of docker compose and python-dotenv: quoting, comments, escapes, expansion and
// the errors for malformed statements.
#include "common/dotenv.h"

#include <gtest/gtest.h>

namespace mlprod {
namespace {

std::map<std::string, std::string> Values(std::string_view text, const EnvLookup& env = {}) {
  auto parsed = ParseDotEnvText(text, env);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? parsed->values : std::map<std::string, std::string>{};
}

std::string ErrorOf(std::string_view text) {
  auto parsed = ParseDotEnvText(text);
  EXPECT_FALSE(parsed.ok()) << "parsed: " << text;
  return parsed.ok() ? std::string() : parsed.error().message;
}

TEST(DotEnv, CommentsNeedABlankBeforeTheHashOnUnquotedValues) {
  const auto v = Values(
      "# a comment line\n"
      "  # an indented one\n"
      "A=x # trailing\n"
      "B=x#not-a-comment\n"
      "C=x\t# after a tab\n"
      "D=   # the value: compose and python-dotenv skip the blanks after '=' first\n"
      "E=\"in # quotes\" # after quotes\n"
      "F='x' #\n");
  EXPECT_EQ(v.at("A"), "x");
  EXPECT_EQ(v.at("B"), "x#not-a-comment");
  EXPECT_EQ(v.at("C"), "x");
  EXPECT_EQ(v.at("D"), "# the value: compose and python-dotenv skip the blanks after '=' first");
  EXPECT_EQ(v.at("E"), "in # quotes");
  EXPECT_EQ(v.at("F"), "x");
}

TEST(DotEnv, ExportPrefixBlanksAroundEqualsCrlfAndEmptyValues) {
  const auto v = Values(
      "\xEF\xBB\xBF"
      "export A=1\r\nB = two words  \r\nC=\r\nD=''\r\nexport=e\n");
  EXPECT_EQ(v.at("A"), "1");
  EXPECT_EQ(v.at("B"), "two words");
  EXPECT_EQ(v.at("C"), "");
  EXPECT_EQ(v.at("D"), "");
  EXPECT_EQ(v.at("export"), "e");
}

TEST(DotEnv, SingleQuotesAreLiteralExceptAnEscapedQuote) {
  const auto v = Values("A=set\nS='${A} $A \\n it\\'s'\n");
  EXPECT_EQ(v.at("S"), "${A} $A \\n it's");
}

TEST(DotEnv, DoubleQuotesTakeEscapesAndSpanLines) {
  const auto v =
      Values("A=set\nD=\"tab\\tnl\\n\\\"q\\\" \\\\ \\$A $A \\x\"\nM=\"one\ntwo\"\nN=1\n");
  EXPECT_EQ(v.at("D"), "tab\tnl\n\"q\" \\ $A set \\x");
  EXPECT_EQ(v.at("M"), "one\ntwo");
  EXPECT_EQ(v.at("N"), "1");
}

TEST(DotEnv, ExpandsBracedAndBareReferencesToEarlierLines) {
  const auto v = Values(
      "USER=mlp\nEMPTY=\n"
      "A=${USER}:$USER/${USER}x\n"
      "B=$$USER costs $5 and $ and ${USER}$\n");
  EXPECT_EQ(v.at("A"), "mlp:mlp/mlpx");
  EXPECT_EQ(v.at("B"), "$USER costs $5 and $ and mlp$");
}

TEST(DotEnv, DefaultsAlternativesAndNestingFollowCompose) {
  const auto v = Values(
      "SET=s\nEMPTY=\n"
      "A=${UNSET:-d} ${EMPTY:-d} ${SET:-d}\n"
      "B=[${UNSET-d}] [${EMPTY-d}] [${SET-d}]\n"
      "C=[${UNSET:+a}] [${EMPTY:+a}] [${EMPTY+a}] [${SET:+a}]\n"
      "D=${UNSET:-${SET}/${UNSET2:-x}}\n");
  EXPECT_EQ(v.at("A"), "d d s");
  EXPECT_EQ(v.at("B"), "[d] [] [s]");
  EXPECT_EQ(v.at("C"), "[] [] [a] [a]");
  EXPECT_EQ(v.at("D"), "s/x");
}

TEST(DotEnv, RequiredReferenceFailsWithItsLineAndMessage) {
  const std::string e = ErrorOf("A=1\nB=${MISSING:?set MISSING first}\n");
  EXPECT_EQ(e, "line 2: MISSING is not set or empty: set MISSING first");
  EXPECT_EQ(ErrorOf("E=\nB=${E?}\nC=${E:?}\n"), "line 3: E is not set or empty");
}

TEST(DotEnv, UnsetReferenceIsEmptyWithAWarningAndLaterLinesAreNotSeen) {
  auto parsed = ParseDotEnvText("A=x${LATER}y\nLATER=1\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->values.at("A"), "xy");
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_NE(parsed->warnings[0].find("line 1: LATER is set neither"), std::string::npos);
}

TEST(DotEnv, TheProcessEnvironmentWinsInsideReferences) {
  const EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return "from-env";
    return std::nullopt;
  };
  const auto v = Values("HOST=from-file\nURL=http://${HOST}/ and $HOST\n", env);
  EXPECT_EQ(v.at("HOST"), "from-file");  // the file's own value; Environment::Get prefers env
  EXPECT_EQ(v.at("URL"), "http://from-env/ and from-env");
}

TEST(DotEnv, BareNameAddsNothing) {
  const auto v = Values("INHERITED\nexport ALSO\nNOTED # a comment\nX=1\n");
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(v.at("X"), "1");
}

TEST(DotEnv, MalformedStatementsAreErrorsWithTheirLine) {
  EXPECT_EQ(ErrorOf("GOOD=1\nnot an assignment\n"),
            "line 2: expected '=' after the name 'not', found 'a' (names are letters, digits, "
            "'_', '.', '-')");
  EXPECT_NE(ErrorOf("A=1\n\n=value\n").find("line 3: expected NAME=VALUE"), std::string::npos);
  EXPECT_NE(ErrorOf("A=1\nB=\"open\nC=2\n").find("line 2: unterminated double-quoted value"),
            std::string::npos);
  EXPECT_NE(ErrorOf("A='open\n").find("line 1: unterminated single-quoted value"),
            std::string::npos);
  EXPECT_NE(ErrorOf("A=\"x\" y\n").find("line 1: unexpected 'y' after the closing quote"),
            std::string::npos);
  EXPECT_NE(ErrorOf("\nA=${B\n").find("line 2: unterminated '${'"), std::string::npos);
  EXPECT_NE(ErrorOf("A=${1}\n").find("line 1: bad substitution '${1}'"), std::string::npos);
  EXPECT_NE(ErrorOf("A=${B/x/y}\n").find("bad substitution"), std::string::npos);
  EXPECT_NE(ErrorOf("KEY: value\n").find("line 1: expected '=' after the name 'KEY'"),
            std::string::npos);
}

TEST(DotEnv, ErrorsNeverEchoAValue) {
  const std::string e = ErrorOf("DATABASE_URL postgresql://mlp:secret@db/mlpdb\n");
  EXPECT_NE(e.find("line 1"), std::string::npos);
  EXPECT_EQ(e.find("secret"), std::string::npos) << e;
}

}  // namespace
}  // namespace mlprod
