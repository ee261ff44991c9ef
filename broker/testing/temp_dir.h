#ifndef ACCORD_BROKER_TESTING_TEMP_DIR_H_
#define ACCORD_BROKER_TESTING_TEMP_DIR_H_

// A directory of its own under the system's temporary directory, removed
// with everything in it when the test is done: the one every test uses.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace accord::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "accord-test-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace accord::testing

#endif  // ACCORD_BROKER_TESTING_TEMP_DIR_H_
