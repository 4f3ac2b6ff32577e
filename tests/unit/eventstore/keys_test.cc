#include "arflow/eventstore/keys.h"

#include <gtest/gtest.h>

namespace arflow::eventstore {
namespace {

TEST(Keys, Be64SortsNumerically) {
  EXPECT_LT(be64(1), be64(2));
  EXPECT_LT(be64(255), be64(256));
  EXPECT_LT(be64(0xffffffff), be64(0x100000000ULL));
  EXPECT_EQ(read_be64(be64(0x0123456789abcdefULL)), 0x0123456789abcdefULL);
}

TEST(Keys, EventKeysOfAStreamSortByVersionAndStayApartFromLongerStreamNames) {
  EXPECT_LT(event_key("invoice/A", 9), event_key("invoice/A", 10));
  // "invoice/A" + NUL sorts before "invoice/AB": no stream's events interleave another's.
  EXPECT_LT(event_key("invoice/A", 0xffffffffffffffffULL), event_key("invoice/AB", 1));
}

TEST(Keys, StreamNamesAreChecked) {
  EXPECT_TRUE(validate_stream("invoice/01J").ok());
  EXPECT_EQ(validate_stream("").message(), "stream must not be empty");
  EXPECT_EQ(validate_stream(std::string("a\0b", 3)).message(), "stream must not contain NUL");
  EXPECT_FALSE(validate_stream(std::string(513, 'x')).ok());
}

TEST(Keys, FingerprintIsStableAcrossProcesses) {
  // FNV-1a 64 reference values: a fingerprint stored before a restart must match after it.
  EXPECT_EQ(fingerprint(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fingerprint("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_NE(fingerprint("ab"), fingerprint("ba"));
}

TEST(Keys, IdempotencyKeysAreScopedByTenant) {
  EXPECT_NE(idempotency_key("t1", "r"), idempotency_key("t2", "r"));
  EXPECT_NE(idempotency_key("t", "1r"), idempotency_key("t1", "r"));
}

}  // namespace
}  // namespace arflow::eventstore
