#include "arflow/server/status.h"

#include <gtest/gtest.h>

#include "arflow/core/error.h"

namespace arflow::server {
namespace {

TEST(Status, OurErrorsReachTheWireWithTheSameCodeAndMessage) {
  const grpc::Status wire = to_grpc_status(invalid_field("lines[2].quantity", "must be > 0"));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "lines[2].quantity must be > 0");
  EXPECT_EQ(to_grpc_status(conflict("stream moved on")).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(to_grpc_status(absl::UnauthenticatedError("no")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(to_grpc_status(absl::OkStatus()).ok());
}

TEST(Status, EveryCanonicalCodeRoundTrips) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status ours(static_cast<absl::StatusCode>(code), code == 0 ? "" : "why");
    const grpc::Status wire = to_grpc_status(ours);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(to_absl_status(wire), ours) << code;
  }
}

}  // namespace
}  // namespace arflow::server
