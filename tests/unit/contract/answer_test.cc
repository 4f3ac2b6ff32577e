// A command's answer, as a resource or as the resource's wire form: what a batch call sends
// on unparsed must read, at the caller, as the resource embedded in its field.
#include "arflow/contract/answer.h"

#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <string>

#include "arflow/invoicing/v1/invoicing_service.pb.h"

namespace arflow::contract {
namespace {

namespace v1 = ::arflow::invoicing::v1;

v1::Invoice issued(const std::string& number) {
  v1::Invoice invoice;
  invoice.set_name("tenants/t1/invoices/i1");
  invoice.set_number(number);
  invoice.set_status(v1::INVOICE_STATUS_ISSUED);
  return invoice;
}

TEST(AnswerTest, AResourceIsSerializedOnAskingAndMovedOutWhole) {
  Answer<v1::Invoice> answer = issued("2026-000001");
  EXPECT_FALSE(answer.is_wire());
  EXPECT_EQ(answer.serialized(), issued("2026-000001").SerializeAsString());
  auto resource = std::move(answer).to_resource();
  ASSERT_TRUE(resource.ok()) << resource.status();
  EXPECT_EQ(resource->number(), "2026-000001");
}

TEST(AnswerTest, WireBytesAreKeptAsTheyAreAndParsedOnlyForWhoAsksForTheResource) {
  const std::string bytes = issued("2026-000002").SerializeAsString();
  auto answer = Answer<v1::Invoice>::wire(bytes);
  EXPECT_TRUE(answer.is_wire());
  EXPECT_EQ(answer.serialized(), bytes);
  auto resource = Answer<v1::Invoice>::wire(bytes).to_resource();
  ASSERT_TRUE(resource.ok()) << resource.status();
  EXPECT_EQ(resource->number(), "2026-000002");
  EXPECT_EQ(std::move(answer).take_wire(), bytes);

  auto garbage = Answer<v1::Invoice>::wire("\xff\xff\xff").to_resource();
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInternal);
}

// What server::BatchCall does with a wire answer: the bytes go out as the result's field,
// and the caller reads the invoice there, byte for byte as if it had been set.
TEST(AnswerTest, WireBytesInTheResourcesFieldReadAsTheResourceEmbedded) {
  using Result = v1::BatchIssueInvoicesResponse::Result;
  Result as_bytes;
  *as_bytes.GetReflection()->MutableUnknownFields(&as_bytes)->AddLengthDelimited(
      Result::kInvoiceFieldNumber) = issued("2026-000003").SerializeAsString();
  Result as_message;
  *as_message.mutable_invoice() = issued("2026-000003");
  EXPECT_EQ(as_bytes.SerializeAsString(), as_message.SerializeAsString());

  as_bytes.set_code(0);
  as_bytes.set_message("");
  Result read;
  ASSERT_TRUE(read.ParseFromString(as_bytes.SerializeAsString()));
  EXPECT_TRUE(read.has_invoice());
  EXPECT_EQ(read.invoice().number(), "2026-000003");
  EXPECT_EQ(read.invoice().status(), v1::INVOICE_STATUS_ISSUED);
}

}  // namespace
}  // namespace arflow::contract
