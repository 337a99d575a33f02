#include "common/dotenv.h"

#include <cctype>

namespace mlprod {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
// A statement's name may also hold '.' and '-' (compose takes them; they cannot be referenced).
bool IsKeyChar(char c) { return IsNameChar(c) || c == '.' || c == '-'; }

Error LineError(int line, const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, "line " + std::to_string(line) + ": " + message);
}

// How a character is named in an error: values may hold secrets, so never more than this one.
std::string Shown(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  return "byte " + std::to_string(static_cast<unsigned char>(c));
}

// Expands $NAME, ${NAME} and compose's ${NAME:-word} family in one value.
class Expander {
 public:
  Expander(int line, const std::function<std::optional<std::string>(const std::string&)>& lookup,
           std::vector<std::string>& warnings)
      : line_(line), lookup_(lookup), warnings_(warnings) {}

  Result<std::string> Expand(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
      const char next = i + 1 < s.size() ? s[i + 1] : '\0';
      if (s[i] != '$') {
        out += s[i++];
      } else if (next == '$') {  // $$: a literal $
        out += '$';
        i += 2;
      } else if (next == '{') {
        const std::size_t close = MatchingBrace(s, i + 2);
        if (close == kNpos) return LineError(line_, "unterminated '${' (no closing '}')");
        auto sub = Braced(s.substr(i + 2, close - i - 2));
        if (!sub.ok()) return sub.error();
        out += *sub;
        i = close + 1;
      } else if (IsNameStart(next)) {
        std::size_t end = i + 1;
        while (end < s.size() && IsNameChar(s[end])) ++end;
        out += Value(std::string(s.substr(i + 1, end - i - 1)));
        i = end;
      } else {  // a $ that starts no reference stays, as in compose
        out += s[i++];
      }
    }
    return out;
  }

 private:
  static std::size_t MatchingBrace(std::string_view s, std::size_t from) {
    int depth = 1;
    for (std::size_t i = from; i < s.size(); ++i) {
      if (s[i] == '$' && i + 1 < s.size() && (s[i + 1] == '$' || s[i + 1] == '{')) {
        if (s[i + 1] == '{') ++depth;
        ++i;
      } else if (s[i] == '}' && --depth == 0) {
        return i;
      }
    }
    return kNpos;
  }

  Result<std::string> Braced(std::string_view body) {
    const auto bad = [&] {
      return LineError(line_, "bad substitution '${" + std::string(body.substr(0, 40)) +
                                  "}' (forms: ${NAME}, ${NAME:-default}, ${NAME-default}, "
                                  "${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt})");
    };
    if (body.empty() || !IsNameStart(body[0])) return bad();
    std::size_t n = 0;
    while (n < body.size() && IsNameChar(body[n])) ++n;
    const std::string name(body.substr(0, n));
    std::string_view rest = body.substr(n);
    const auto value = lookup_(name);
    if (rest.empty()) return value ? *value : Unset(name);
    const bool colon = rest.front() == ':';
    if (colon) rest.remove_prefix(1);
    if (rest.empty()) return bad();
    const char op = rest.front();
    const std::string_view word = rest.substr(1);
    // With ':' an empty value counts as unset, as in the shell.
    const bool present = colon ? value && !value->empty() : value.has_value();
    switch (op) {
      case '-':
        return present ? Result<std::string>(*value) : Expand(word);
      case '+':
        return present ? Expand(word) : Result<std::string>(std::string());
      case '?': {
        if (present) return *value;
        auto message = Expand(word);
        if (!message.ok()) return message.error();
        return LineError(line_, name + (colon ? " is not set or empty" : " is not set") +
                                    (message->empty() ? "" : ": " + *message));
      }
      default:
        return bad();
    }
  }

  std::string Value(const std::string& name) {
    auto v = lookup_(name);
    return v ? *v : Unset(name);
  }

  std::string Unset(const std::string& name) {
    warnings_.push_back("line " + std::to_string(line_) + ": " + name +
                        " is set neither in the environment nor on an earlier line; "
                        "substituted as empty");
    return {};
  }

  int line_;
  const std::function<std::optional<std::string>(const std::string&)>& lookup_;
  std::vector<std::string>& warnings_;
};

class Parser {
 public:
  Parser(std::string_view text, const EnvLookup& env) : env_(env) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
    text_.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {  // CRLF -> LF
      if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) text_ += text[i];
    }
    lookup_ = [this](const std::string& name) -> std::optional<std::string> {
      if (env_) {
        if (auto v = env_(name)) return v;
      }
      if (auto it = out_.values.find(name); it != out_.values.end()) return it->second;
      return std::nullopt;
    };
  }

  Result<DotEnvFile> Run() {
    while (true) {
      while (!AtEnd() && std::isspace(static_cast<unsigned char>(Peek()))) Advance();
      if (AtEnd()) break;
      if (Peek() == '#') {
        SkipToEndOfLine();
        continue;
      }
      MLPROD_RETURN_IF_ERROR(Statement());
    }
    return std::move(out_);
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void Advance() { line_ += text_[pos_++] == '\n' ? 1 : 0; }
  void SkipBlanks() {
    while (!AtEnd() && IsBlank(Peek())) ++pos_;
  }
  void SkipToEndOfLine() {
    while (!AtEnd() && Peek() != '\n') ++pos_;
  }

  Status Statement() {
    const int line = line_;
    if (text_.compare(pos_, 6, "export") == 0 && pos_ + 6 < text_.size() &&
        IsBlank(text_[pos_ + 6])) {
      pos_ += 6;
      SkipBlanks();
    }
    const std::size_t key_start = pos_;
    while (!AtEnd() && IsKeyChar(Peek())) ++pos_;
    const std::string key = text_.substr(key_start, pos_ - key_start);
    SkipBlanks();
    // A bare NAME: compose takes NAME from the environment, python-dotenv sets nothing; either
    // way the file adds no value.
    if (!key.empty() &&
        (AtEnd() || Peek() == '\n' || (Peek() == '#' && pos_ > key_start + key.size()))) {
      SkipToEndOfLine();
      return OkStatus();
    }
    if (key.empty()) {
      return LineError(line, "expected NAME=VALUE, but the line starts with " + Shown(Peek()) +
                                 " (names are letters, digits, '_', '.' and '-')");
    }
    if (AtEnd() || Peek() != '=') {
      return LineError(line, "expected '=' after the name '" + key + "', found " + Shown(Peek()) +
                                 " (names are letters, digits, '_', '.', '-')");
    }
    ++pos_;
    SkipBlanks();
    auto value = !AtEnd() && (Peek() == '"' || Peek() == '\'') ? Quoted(line) : Unquoted(line);
    if (!value.ok()) return value.error();
    out_.values[key] = std::move(*value);
    return OkStatus();
  }

  Result<std::string> Unquoted(int line) {
    const std::size_t start = pos_;
    SkipToEndOfLine();
    std::string_view raw(text_.data() + start, pos_ - start);
    // A '#' after a blank starts a comment; "#" right after '=' is part of the value.
    for (std::size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == '#' && IsBlank(raw[i - 1])) {
        raw = raw.substr(0, i);
        break;
      }
    }
    while (!raw.empty() && (IsBlank(raw.back()) || raw.back() == '\r')) raw.remove_suffix(1);
    return Expander(line, lookup_, out_.warnings).Expand(raw);
  }

  Result<std::string> Quoted(int line) {
    const char quote = Peek();
    Advance();
    std::string raw;
    bool closed = false;
    while (!AtEnd() && !closed) {
      const char c = Peek();
      Advance();
      if (c == quote) {
        closed = true;
      } else if (c == '\\' && !AtEnd()) {
        raw += Unescape(quote, Peek());
        Advance();
      } else {
        raw += c;
      }
    }
    if (!closed) {
      return LineError(line, std::string("unterminated ") + (quote == '"' ? "double" : "single") +
                                 "-quoted value (no closing " + quote + ")");
    }
    SkipBlanks();
    if (!AtEnd() && Peek() == '#') SkipToEndOfLine();
    if (!AtEnd() && Peek() != '\n' && Peek() != '\r') {
      return LineError(line_, "unexpected " + Shown(Peek()) +
                                  " after the closing quote (only a # comment may follow)");
    }
    if (quote == '\'') return raw;  // single quotes: no expansion
    return Expander(line, lookup_, out_.warnings).Expand(raw);
  }

  // The text a backslash and `c` stand for inside `quote`s (before expansion).
  static std::string Unescape(char quote, char c) {
    if (c == quote) return std::string(1, c);
    if (quote == '\'') return std::string("\\") + c;  // only \' is special in single quotes
    switch (c) {
      case 'n':
        return "\n";
      case 'r':
        return "\r";
      case 't':
        return "\t";
      case 'a':
        return "\a";
      case 'b':
        return "\b";
      case 'f':
        return "\f";
      case 'v':
        return "\v";
      case '\\':
        return "\\";
      case '$':
        return "$$";  // the expander's literal $
      default:
        return std::string("\\") + c;
    }
  }

  std::string text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  const EnvLookup& env_;
  std::function<std::optional<std::string>(const std::string&)> lookup_;
  DotEnvFile out_;
};

}  // namespace

Result<DotEnvFile> ParseDotEnvText(std::string_view text, const EnvLookup& process_env) {
  return Parser(text, process_env).Run();
}

}  // namespace mlprod
