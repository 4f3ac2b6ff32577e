#include "arflow/server/tenants.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "server_test_support.h"
#include "support/temp_dir.h"

namespace arflow::server {
namespace {

using ::testing::HasSubstr;

// SHA-256("test"), the FIPS 180-2 style known answer.
constexpr char kTestDigest[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string line(const std::string& tenant, const std::string& name, const std::string& key) {
  return tenant + " " + name + " " + hash_api_key(key).value() + "\n";
}

TEST(HashApiKey, IsLowercaseHexSha256) {
  EXPECT_EQ(hash_api_key("test").value(), kTestDigest);
  EXPECT_EQ(hash_api_key("").value(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(GenerateApiKey, IsPrefixedRandomAndDistinct) {
  std::set<std::string> keys;
  for (int i = 0; i < 16; ++i) {
    const auto key = generate_api_key();
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->size(), 4U + 64U);
    EXPECT_EQ(key->substr(0, 4), "arf_");
    keys.insert(*key);
  }
  EXPECT_EQ(keys.size(), 16U);
}

TEST(TenantDirectory, AuthenticatesEachKeyAsItsTenantAndName) {
  const std::string text = "# tenants of the test\n" + line("acme", "billing-1", "key-a1") +
                           "\n   \n" + line("acme", "ops.reader", "key-a2") +
                           line("globex", "billing-1", "key-g1") + "# end\n";
  const auto directory = TenantDirectory::parse(text, "tenants.txt");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_FALSE(directory->is_open());
  EXPECT_EQ(directory->key_count(), 3U);
  EXPECT_EQ(directory->authenticate("key-a1").value(), (Principal{"acme", "billing-1"}));
  EXPECT_EQ(directory->authenticate("key-a2").value(), (Principal{"acme", "ops.reader"}));
  EXPECT_EQ(directory->authenticate("key-g1").value(), (Principal{"globex", "billing-1"}));
}

TEST(TenantDirectory, RejectsUnknownAndEmptyKeys) {
  const auto directory = TenantDirectory::parse(line("acme", "k", "secret"), "t");
  ASSERT_TRUE(directory.ok()) << directory.status();
  for (const std::string& key :
       std::vector<std::string>{"", "secre", "secret ", "SECRET", std::string(kTestDigest)}) {
    const auto principal = directory->authenticate(key);
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated) << key;
  }
  // A client sending the stored digest instead of the key is not let in.
  EXPECT_FALSE(directory->authenticate(hash_api_key("secret").value()).ok());
}

TEST(TenantDirectory, AcceptsTabsCrlfTrailingCommentsAndUppercaseHex) {
  std::string digest = hash_api_key("k1").value();
  for (char& c : digest) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::string text = "acme\tkey-1\t" + digest + "  # the billing system\r\n";
  const auto directory = TenantDirectory::parse(text, "t");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->authenticate("k1").value(), (Principal{"acme", "key-1"}));
}

struct BadFile {
  std::string text;
  std::string message;  // expected substring: the line and the rule

  friend void PrintTo(const BadFile& bad, std::ostream* os) { *os << '"' << bad.message << '"'; }
};

class TenantsFileErrors : public ::testing::TestWithParam<BadFile> {};

TEST_P(TenantsFileErrors, NameTheLineAndTheRule) {
  const auto directory = TenantDirectory::parse(GetParam().text, "/etc/arflow/tenants");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(directory.status().message()), HasSubstr(GetParam().message));
}

const std::string kGood = "acme k1 " + std::string(kTestDigest) + "\n";

INSTANTIATE_TEST_SUITE_P(
    Rules, TenantsFileErrors,
    ::testing::Values(
        BadFile{"# only comments\n\n", "/etc/arflow/tenants must list at least one API key"},
        BadFile{"", "must list at least one API key"},
        BadFile{kGood + "acme k2\n",
                "/etc/arflow/tenants:2 must have 3 fields (tenant_id key_name key_hash), has 2"},
        BadFile{"# c\n" + kGood + "acme k2 " + std::string(kTestDigest) + " extra\n",
                "/etc/arflow/tenants:3 must have 3 fields"},
        BadFile{"ac/me k1 " + std::string(kTestDigest),
                "/etc/arflow/tenants:1 tenant_id must be 1..64 characters of [A-Za-z0-9_.-]"},
        BadFile{std::string(65, 'a') + " k1 " + std::string(kTestDigest), ":1 tenant_id must be"},
        BadFile{"acme k=1 " + std::string(kTestDigest),
                ":1 key_name must be 1..64 characters of [A-Za-z0-9_.-]"},
        BadFile{"\n\nacme k1 " + std::string(kTestDigest).substr(1),
                "/etc/arflow/tenants:3 key_hash must be 64 hex digits (the SHA-256 of the key)"},
        BadFile{"acme k1 " + std::string(kTestDigest).substr(1) + "g",
                ":1 key_hash must be 64 hex"},
        BadFile{"acme k1 plaintext-key", ":1 key_hash must be 64 hex digits"},
        BadFile{kGood + "globex k9 " + std::string(kTestDigest),
                "/etc/arflow/tenants:2 key_hash must be unique, already on line 1"},
        BadFile{kGood + "\nacme k1 " + hash_api_key("other").value(),
                "/etc/arflow/tenants:3 key_name must be unique within the tenant, already on "
                "line 1"}));

TEST(TenantDirectory, TheExampleInDocsOperationsParses) {
  const auto directory = TenantDirectory::parse(R"(
# tenant_id   key_name     sha256_hex_of_key
acme          billing-1    9e907bc8b6964e4ce47ed5bd2ccba708d34caddfd8cc6354b672977876ea063b
acme          ops.reader   2e2bb5844044321a152e3b975a1d31d62a42e6d560c14d4ff0c6b6c92466b034
globex        billing-1    a17fa283e2b78503738c57f69c3e0fa11cf2100e10290f3fdaa5065bba19b42b  # ERP
)",
                                                "docs");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->authenticate("example-acme-ops-reader").value(),
            (Principal{"acme", "ops.reader"}));
  EXPECT_EQ(directory->authenticate("example-globex-billing-1").value(),
            (Principal{"globex", "billing-1"}));
}

TEST(TenantDirectory, SameKeyNameInTwoTenantsIsFine) {
  const auto directory =
      TenantDirectory::parse(line("acme", "billing", "a") + line("globex", "billing", "b"), "t");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->authenticate("b").value(), (Principal{"globex", "billing"}));
}

TEST(TenantDirectory, LoadsAFileAndNamesItInErrors) {
  arflow::testing::TempDir dir;
  const std::string good = dir.sub("tenants");
  testing::write_file(good, line("acme", "k1", "s1"));
  const auto directory = TenantDirectory::load(good);
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->authenticate("s1").value(), (Principal{"acme", "k1"}));

  const std::string bad = dir.sub("bad");
  testing::write_file(bad, "acme k1\n");
  EXPECT_THAT(std::string(TenantDirectory::load(bad).status().message()),
              HasSubstr(bad + ":1 must have 3 fields"));

  EXPECT_EQ(TenantDirectory::load(dir.sub("missing")).status().code(), absl::StatusCode::kNotFound);
}

TEST(TenantDirectory, FromFlagWithoutFileIsOpenDevMode) {
  const auto directory = TenantDirectory::from_flag("");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_TRUE(directory->is_open());
  EXPECT_EQ(directory->key_count(), 0U);
  const Principal dev{std::string(kDevTenant), std::string(kDevKeyName)};
  EXPECT_EQ(directory->authenticate("").value(), dev);
  EXPECT_EQ(directory->authenticate("anything").value(), dev);
}

TEST(TenantDirectory, FromFlagWithFileIsClosed) {
  arflow::testing::TempDir dir;
  testing::write_file(dir.sub("tenants"), line("acme", "k1", "s1"));
  const auto directory = TenantDirectory::from_flag(dir.sub("tenants"));
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_FALSE(directory->is_open());
  EXPECT_FALSE(directory->authenticate("").ok());
  EXPECT_EQ(TenantDirectory::from_flag(dir.sub("nope")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace arflow::server
