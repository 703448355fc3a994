#include "formats/yaml_scan.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <istream>
#include <map>
#include <optional>
#include <streambuf>

namespace airlock {
namespace {

constexpr std::string_view k_bom = "\xef\xbb\xbf";

// An istream over the text, without copying it.
class ViewBuffer final : public std::streambuf {
public:
  explicit ViewBuffer(std::string_view text) {
    char* p = const_cast<char*>(text.data());  // read only: the get area is never written
    setg(p, p, p + text.size());
  }
};

struct Anchored {
  std::uint64_t size = 1;  // nodes, with the aliases inside it expanded
  bool scalar = false;
  std::string value;
  std::size_t offset = 0;
};

class Scanner final : public YAML::EventHandler {
public:
  Scanner(std::string_view file, std::size_t base, YamlVisitor& visitor)
      : m_file(file), m_base(base), m_visitor(visitor) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 (jbeder/yaml-cpp#1040) reads a token that starts no node
    // (a ',' outside a flow collection) as an empty document without
    // consuming it, and would start that document again forever.
    if (m_documents > 0 && mark.pos == m_last_document_pos)
      fail(mark, "not valid YAML: a token that starts no node (a ',' outside a flow collection?)");
    ++m_documents;
    m_last_document_pos = mark.pos;
    m_nodes = 0;
    m_anchors.clear();
    m_frames.clear();
    m_path.clear();
    m_active = false;
    m_root_seen = false;
  }

  void OnDocumentEnd() override {
    if (m_active) m_visitor.document_end();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, "", false); }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    leaf(mark, anchor, value, true);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) fail(mark, "an alias of an unknown anchor");
    const Anchored& target = it->second;
    count(mark, target.size);
    const bool key = begin_node(mark);
    if (target.scalar) {
      if (m_active) emit(target.value, target.offset, mark, key, true);
      end_node(key, target.value);
    } else {
      end_node(key, "?");
    }
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    if (!m_root_seen && m_frames.empty()) {
      m_active = true;
      m_visitor.document_start();
    }
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

private:
  struct Frame {
    bool map = false;
    bool expect_key = true;  // maps: the next node is a key
    std::string key;         // maps: the current value's key
    std::size_t index = 0;   // sequences: the next item's index
    bool node_is_key = false;
    YAML::anchor_t anchor = 0;
    std::uint64_t nodes_before = 0;
    std::size_t offset = 0;
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string_view why) const {
    throw UsageError(fmt::format("{}:{}: {}", m_file, mark.line + 1, why));
  }

  void count(const YAML::Mark& mark, std::uint64_t nodes) {
    m_nodes += nodes;
    if (m_nodes > k_max_yaml_expanded)
      fail(mark, fmt::format("the document expands to more than {} nodes (aliases of aliases): refused",
                             k_max_yaml_expanded));
  }

  // A node starts: is it a key? Values and items extend the path.
  bool begin_node(const YAML::Mark&) {
    m_root_seen = true;
    if (m_frames.empty()) return false;
    Frame& f = m_frames.back();
    if (f.map && f.expect_key) return true;
    m_path.emplace_back(f.map ? YamlPathPart(f.key) : YamlPathPart(f.index));
    return false;
  }

  void end_node(bool key, std::string_view text) {
    if (m_frames.empty()) return;
    Frame& f = m_frames.back();
    if (key) {
      f.key = std::string(text);
      f.expect_key = false;
      return;
    }
    m_path.pop_back();
    if (f.map)
      f.expect_key = true;
    else
      ++f.index;
  }

  void emit(std::string_view value, std::size_t offset, const YAML::Mark& mark, bool key, bool alias) {
    m_visitor.scalar({value, m_path, offset, static_cast<std::size_t>(mark.line) + 1, key, alias});
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& value, bool scalar) {
    count(mark, 1);
    const std::size_t offset = m_base + static_cast<std::size_t>(mark.pos);
    if (anchor != 0) m_anchors[anchor] = {1, scalar, value, offset};
    const bool key = begin_node(mark);
    if (m_active && scalar) emit(value, offset, mark, key, false);
    end_node(key, scalar ? std::string_view(value) : std::string_view("?"));
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    count(mark, 1);
    if (m_frames.size() >= k_max_yaml_depth)
      fail(mark, fmt::format("nested deeper than {} levels: refused", k_max_yaml_depth));
    const bool key = begin_node(mark);
    Frame f;
    f.map = map;
    f.node_is_key = key;
    f.anchor = anchor;
    f.nodes_before = m_nodes - 1;
    f.offset = m_base + static_cast<std::size_t>(mark.pos);
    m_frames.push_back(std::move(f));
  }

  void close() {
    const Frame f = std::move(m_frames.back());
    m_frames.pop_back();
    if (f.anchor != 0) m_anchors[f.anchor] = {m_nodes - f.nodes_before, false, {}, f.offset};
    end_node(f.node_is_key, "?");
  }

  std::string_view m_file;
  std::size_t m_base;
  YamlVisitor& m_visitor;
  std::uint64_t m_nodes = 0;
  std::map<YAML::anchor_t, Anchored> m_anchors;
  std::vector<Frame> m_frames;
  std::vector<YamlPathPart> m_path;
  bool m_active = false;
  bool m_root_seen = false;
  std::uint64_t m_documents = 0;
  int m_last_document_pos = 0;
};

}  // namespace

void scan_yaml(std::string_view text, std::string_view file, YamlVisitor& visitor) {
  const std::size_t base = text.starts_with(k_bom) ? k_bom.size() : 0;
  ViewBuffer buffer(text.substr(base));
  std::istream in(&buffer);
  Scanner scanner(file, base, visitor);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(scanner)) {}
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}: not valid YAML: {}", file, e.mark.line + 1, e.msg));
  }
}

std::string yaml_path_text(const std::vector<YamlPathPart>& path) {
  std::string out;
  for (const auto& part : path) {
    if (const auto* key = std::get_if<std::string>(&part))
      out += (out.empty() ? "" : ".") + *key;
    else
      out += fmt::format("[{}]", std::get<std::size_t>(part));
  }
  return out;
}

}  // namespace airlock
