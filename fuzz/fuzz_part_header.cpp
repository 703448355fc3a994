// PartHeader::decode on the first bytes of a would-be part file (from a
// diode: anything may arrive). Property: what decodes encodes to a header
// that decodes to the same, and its sizes are those decode() promises.

#include "formats/part_header.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::refusals_expected([&] {
    const auto h = PartHeader::decode(fuzz::as_text(data, size), "fuzz.part");
    if (!h) return;
    const auto block = h->encode();
    fuzz::check(block.size() == k_part_header_size, "an encoded header is not 4096 bytes");
    std::optional<PartHeader> again;
    try {
      again = PartHeader::decode(block, "again");
    } catch (const Error& e) {
      fuzz::check(false, "a header's own encoding does not decode", e.what());
    }
    fuzz::check(again && again->encode() == block, "a header changes through decode");
    fuzz::check(h->group < h->groups && h->part < h->data_parts + h->parity_parts, "decode let an index out of range");
    fuzz::check(h->group_size <= h->rows * h->chunk_size * static_cast<std::uint64_t>(h->data_parts),
                "decode let a group hold more than its rows");
    fuzz::check(h->group_offset + h->group_size <= h->bundle_size, "decode let a group pass the bundle's end");
  });
  return 0;
}
