#include "cli/command.hpp"
#include "formats/part_writer.hpp"

namespace airlock {

void add_part_flags(CLI::App& cmd, PartLayout& layout, bool required) {
  auto* size = add_size_option(cmd, "--part-size", layout.part_size,
                               "Largest part file, with units (700MB, 25GB; for FAT32's 4 GiB limit 4000MiB)");
  auto* parity =
      cmd.add_option("--parity", layout.parity_parts, "Parity parts per group: any this many of a group may be lost")
          ->check(CLI::Range(0, 254));
  auto* data =
      cmd.add_option("--data-parts", layout.data_parts, "Data parts per group (default 10)")->check(CLI::Range(1, 254));
  if (required) {
    size->required();
    parity->required();
  } else {
    size->needs(parity);
    parity->needs(size);
    data->needs(size);
  }
}

}  // namespace airlock
