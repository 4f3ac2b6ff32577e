// What crosses a service boundary is accepted on the other side: every string field of every
// request and event names its kind (proto/arflow/common/v1/limits.proto), an event's field
// holds at least what the request field it comes from may hold, and invoicing and payments,
// fed each other's events with every text at the longest its kind allows, apply them all.
// The two services run on real stores and command loops; what one publishes (its outbox) is
// what the other's reaction gets, as through the consumer runner.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "arflow/admin/v1/admin_service.pb.h"
#include "arflow/bus/topics.h"
#include "arflow/contract/convert.h"
#include "arflow/contract/limits.h"
#include "arflow/eventstore/command_loop.h"
#include "arflow/invoicing/v1/invoicing_service.pb.h"
#include "arflow/payments/v1/payments_service.pb.h"
#include "invoicing/app/execute.h"
#include "invoicing/app/payments_reaction.h"
#include "invoicing/app/queries.h"
#include "payments/app/execute.h"
#include "payments/app/invoicing_reaction.h"
#include "payments/app/queries.h"
#include "support/loop_command.h"
#include "support/temp_dir.h"
#include "unit/invoicing/fixtures.h"

namespace arflow {
namespace {

using contract::limit_of;
using contract::TextKind;
using eventstore::Envelope;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
namespace common = ::arflow::common::v1;

TextKind kind_of(const FieldDescriptor& field) {
  return field.options().GetExtension(common::text);
}

// Calls `visit` for every string field of `type` and of the message types in it, once per
// (message, field), with the field's path from `type` ("content.lines.description").
void walk_strings(const Descriptor& type, const std::string& path,
                  std::set<const Descriptor*>& seen,
                  const std::function<void(const FieldDescriptor&, const std::string&)>& visit) {
  if (!seen.insert(&type).second) {
    return;
  }
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    const std::string field_path = path.empty() ? field.name() : path + "." + field.name();
    if (field.type() == FieldDescriptor::TYPE_STRING) {
      visit(field, field_path);
    } else if (field.type() == FieldDescriptor::TYPE_MESSAGE &&
               field.message_type()->file()->package().starts_with("arflow.")) {
      walk_strings(*field.message_type(), field_path, seen, visit);
    }
  }
}

// The requests of a service: the input of each of its methods.
std::vector<const Descriptor*> requests_of(const google::protobuf::ServiceDescriptor& service) {
  std::vector<const Descriptor*> out;
  out.reserve(static_cast<size_t>(service.method_count()));
  for (int i = 0; i < service.method_count(); ++i) {
    out.push_back(service.method(i)->input_type());
  }
  return out;
}

const google::protobuf::ServiceDescriptor& invoicing_service() {
  return *invoicing::v1::CreateInvoiceRequest::descriptor()->file()->FindServiceByName(
      "InvoicingService");
}
const google::protobuf::ServiceDescriptor& payments_service() {
  return *payments::v1::RecordPaymentRequest::descriptor()->file()->FindServiceByName(
      "PaymentsService");
}

TEST(LimitsCrossingTest, EveryStringFieldOfEveryEventAndRequestNamesItsKind) {
  std::vector<std::pair<const Descriptor*, std::string>> roots = {
      {Envelope::descriptor(), "Envelope"}};
  const auto& admin_service =
      *admin::v1::ListDeadLettersRequest::descriptor()->file()->FindServiceByName("AdminService");
  for (const auto* service : {&invoicing_service(), &payments_service(), &admin_service}) {
    for (const Descriptor* request : requests_of(*service)) {
      roots.emplace_back(request, request->name());
    }
  }
  std::vector<std::string> without_kind;
  size_t fields = 0;
  for (const auto& [type, name] : roots) {
    std::set<const Descriptor*> seen;
    walk_strings(*type, name, seen, [&](const FieldDescriptor& field, const std::string& path) {
      ++fields;
      if (limit_of(kind_of(field)).max_bytes == 0) {
        without_kind.push_back(path);
      }
    });
  }
  EXPECT_GT(fields, 150u);  // the walk reaches into payloads and nested messages
  EXPECT_THAT(without_kind, ::testing::IsEmpty());
}

// A field an event carries from a request of the service that publishes it (same name) is
// of a kind at least as long: what a client could send, the event can hold.
TEST(LimitsCrossingTest, AnEventFieldHoldsWhatTheRequestFieldItComesFromMayHold) {
  const std::map<std::string, const google::protobuf::ServiceDescriptor*> publishers = {
      {"arflow.invoicing.v1", &invoicing_service()}, {"arflow.payments.v1", &payments_service()}};
  const Descriptor& envelope = *Envelope::descriptor();
  std::vector<std::string> narrower;
  size_t compared = 0;
  for (int i = 0; i < envelope.oneof_decl(0)->field_count(); ++i) {
    const Descriptor& event = *envelope.oneof_decl(0)->field(i)->message_type();
    const auto publisher = publishers.find(event.file()->package());
    if (event.file()->package() == "arflow.events.v1") {
      continue;  // what the services' kernel says to itself: no request carries it
    }
    ASSERT_NE(publisher, publishers.end()) << event.full_name();
    std::map<std::string, size_t> request_limits;  // field name -> the longest a request takes
    for (const Descriptor* request : requests_of(*publisher->second)) {
      std::set<const Descriptor*> seen;
      walk_strings(*request, "", seen, [&](const FieldDescriptor& field, const std::string&) {
        auto& longest = request_limits[field.name()];
        longest = std::max(longest, limit_of(kind_of(field)).max_bytes);
      });
    }
    std::set<const Descriptor*> seen;
    walk_strings(event, event.name(), seen,
                 [&](const FieldDescriptor& field, const std::string& path) {
                   const auto from = request_limits.find(field.name());
                   if (from == request_limits.end()) {
                     return;
                   }
                   ++compared;
                   if (limit_of(kind_of(field)).max_bytes < from->second) {
                     narrower.push_back(path);
                   }
                 });
  }
  EXPECT_GT(compared, 50u);
  EXPECT_THAT(narrower, ::testing::IsEmpty());
}

// Kinds a sender makes from the ids and series it was given (already the longest the test
// could give) and that name things the receiver must find: left as the sender wrote them.
const std::set<TextKind> kIdentities = {
    common::TEXT_KIND_ID,     common::TEXT_KIND_DERIVED_ID,      common::TEXT_KIND_TENANT,
    common::TEXT_KIND_SERIES, common::TEXT_KIND_DOCUMENT_NUMBER, common::TEXT_KIND_CURRENCY,
    common::TEXT_KIND_STREAM};

// Every other string field of `message` and of the messages set in it becomes the longest
// text its kind allows.
void fill_to_limits(Message& message) {
  const auto* reflection = message.GetReflection();
  const Descriptor& type = *message.GetDescriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      const TextKind kind = kind_of(*field);
      if (kIdentities.contains(kind)) {
        continue;
      }
      const std::string longest(limit_of(kind).max_bytes, 'x');
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          reflection->SetRepeatedString(&message, field, j, longest);
        }
      } else if (field->containing_oneof() == nullptr) {
        reflection->SetString(&message, field, longest);
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          fill_to_limits(*reflection->MutableRepeatedMessage(&message, field, j));
        }
      } else if (reflection->HasField(message, field)) {
        fill_to_limits(*reflection->MutableMessage(&message, field));
      }
    }
  }
}

// A service's store and command loop, and what it published so far.
class Side {
 public:
  Side(const std::string& path, std::string_view topic) {
    store_ = eventstore::Store::open({.path = path, .events_topic = std::string(topic)}).value();
    loop_ = std::make_unique<eventstore::CommandLoop>(*store_);
  }

  template <typename Response>
  Result<Response> run(
      std::function<Result<Response>(eventstore::Transaction&, const eventstore::Caller&)> work) {
    return testing::run_command<Response>(*loop_, kTenant, work);
  }

  // The events appended since the last call, in the order the relay publishes them.
  std::vector<Envelope> published() {
    std::vector<Envelope> out;
    auto entries = store_->read_outbox(next_seq_, 10'000);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) {
      return out;
    }
    for (const auto& entry : *entries) {
      next_seq_ = entry.seq + 1;
      Envelope event;
      EXPECT_TRUE(event.ParseFromString(entry.record.value()));
      out.push_back(std::move(event));
    }
    return out;
  }

  // Applies `events`, each with its texts at their longest, through `reaction`; the types of
  // those applied.
  std::vector<std::string> apply(std::vector<Envelope> events, bus::Projection& reaction) {
    std::vector<std::string> applied;
    for (auto& event : events) {
      fill_to_limits(event);
      auto done =
          run<bool>([&](eventstore::Transaction& txn, const eventstore::Caller&) -> Result<bool> {
            ARFLOW_RETURN_IF_ERROR(reaction.apply(event, txn));
            return true;
          });
      EXPECT_TRUE(done.ok()) << eventstore::event_type(event) << ": " << done.status();
      applied.emplace_back(eventstore::event_type(event));
    }
    return applied;
  }

  // The longest tenant id there is.
  static inline const std::string kTenant = std::string(contract::kMaxTenantLength, 't');

  eventstore::Store& store() { return *store_; }

 private:
  std::unique_ptr<eventstore::Store> store_;
  std::unique_ptr<eventstore::CommandLoop> loop_;
  uint64_t next_seq_ = 0;
};

class LimitsCrossingFlow : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  Side invoicing_{dir_.sub("invoicing"), bus::kInvoicingEvents};
  Side payments_{dir_.sub("payments"), bus::kPaymentsEvents};
  invoicing::app::PaymentsReaction to_invoicing_;
  payments::app::InvoicingReaction to_payments_;
};

// The longest ids, series and texts each service accepts from its clients, through a whole
// flow: invoice issued, paid, charged back with the longest reason, voided by a full credit
// note. Every event either service publishes is applied by the other.
TEST_F(LimitsCrossingFlow, TheLongestTextsEitherServiceAcceptsAreAppliedByTheOther) {
  using invoicing::testing::date;
  using invoicing::testing::line;
  using invoicing::testing::money;
  const std::string customer(contract::kMaxIdLength, 'c');
  const std::string invoice(contract::kMaxIdLength, 'i');
  const std::string payment(contract::kMaxIdLength, 'p');
  const std::string longest_text(contract::kMaxTextLength, 'w');

  auto details = invoicing::testing::customer_details();
  details.legal_name = std::string(contract::kMaxLegalNameLength, 'n');
  auto registered = invoicing_.run<invoicing::v1::Customer>(
      [&](eventstore::Transaction& txn, const eventstore::Caller& caller) {
        return invoicing::app::execute(
            txn, caller, invoicing::RegisterCustomer{.customer_id = customer, .details = details});
      });
  ASSERT_TRUE(registered.ok()) << registered.status();
  auto issued = invoicing_.run<bool>(
      [&](eventstore::Transaction& txn, const eventstore::Caller& caller) -> Result<bool> {
        ARFLOW_RETURN_IF_ERROR(
            invoicing::app::execute(
                txn, caller,
                invoicing::DraftInvoice{.invoice_id = invoice,
                                        .customer_id = customer,
                                        .content = invoicing::testing::content_of(
                                            {line("1", money(10000), 0, 0, longest_text)})},
                invoicing::IssueInvoice{.invoice_id = invoice,
                                        .series = std::string(contract::kMaxSeriesLength, '9'),
                                        .issue_date = date(2026, 11, 2)})
                .status());
        return true;
      });
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_THAT(payments_.apply(invoicing_.published(), to_payments_),
              ::testing::ElementsAre("customer_registered", "invoice_issued"));

  // Paid by a payment of the longest id, with the longest reference and remittance text.
  auto paid = payments_.run<payments::v1::Payment>(
      [&](eventstore::Transaction& txn, const eventstore::Caller& caller) {
        return payments::app::execute(
            txn, caller,
            payments::RecordPayment{
                .payment_id = payment,
                .customer_id = customer,
                .amount = money(10000),
                .method = payments::v1::PAYMENT_METHOD_BANK_TRANSFER,
                .received_on = date(2026, 11, 3),
                .external_reference = std::string(contract::kMaxReferenceLength, 'b'),
                .remittance_text = longest_text},
            /*auto_allocate=*/true);
      });
  ASSERT_TRUE(paid.ok()) << paid.status();
  ASSERT_EQ(paid->allocations_size(), 1);
  EXPECT_EQ(invoicing_.apply(payments_.published(), to_invoicing_).back(), "payment_allocated");
  EXPECT_EQ(
      invoicing::app::read_invoice(invoicing_.store(), Side::kTenant, invoice).value().state.status,
      invoicing::InvoiceStatus::kPaid);
  EXPECT_THAT(payments_.apply(invoicing_.published(), to_payments_),
              ::testing::ElementsAre("payment_applied"));

  // The bank takes it back, saying the longest reason payments accepts: the invoice reopens.
  auto bounced = payments_.run<payments::v1::Payment>([&](eventstore::Transaction& txn,
                                                          const eventstore::Caller& caller) {
    return payments::app::execute(
        txn, caller,
        payments::ChargeBackPayment{
            .payment_id = payment, .reason = longest_text, .charged_back_on = date(2026, 11, 20)});
  });
  ASSERT_TRUE(bounced.ok()) << bounced.status();
  EXPECT_THAT(invoicing_.apply(payments_.published(), to_invoicing_),
              ::testing::ElementsAre("allocation_reversed", "payment_charged_back"));
  EXPECT_EQ(
      invoicing::app::read_invoice(invoicing_.store(), Side::kTenant, invoice).value().state.status,
      invoicing::InvoiceStatus::kIssued);
  EXPECT_THAT(payments_.apply(invoicing_.published(), to_payments_),
              ::testing::ElementsAre("payment_reversed"));
}

}  // namespace
}  // namespace arflow
