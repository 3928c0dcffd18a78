#include "base/status.h"

#include <gtest/gtest.h>

namespace renkei {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  RENKEI_ASSIGN_OR_RETURN(int h, Half(x));
  RENKEI_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("record 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: record 7");
  EXPECT_EQ(s.Annotate("store").message(), "store: record 7");
}

TEST(StatusTest, CodeNamesReadBackToTheirCodes) {
  for (StatusCode code : {StatusCode::kOk, StatusCode::kInvalidArgument, StatusCode::kNotFound,
                          StatusCode::kAlreadyExists, StatusCode::kFailedPrecondition, StatusCode::kPermissionDenied,
                          StatusCode::kResourceExhausted, StatusCode::kUnavailable, StatusCode::kDataLoss,
                          StatusCode::kInternal}) {
    EXPECT_EQ(StatusCodeFromName(StatusCodeName(code)), code) << StatusCodeName(code);
  }
  EXPECT_EQ(StatusCodeFromName("not-found"), std::nullopt);
  EXPECT_EQ(StatusCodeFromName("NOT_FOUND"), std::nullopt);
  EXPECT_EQ(StatusCodeFromName(""), std::nullopt);
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);  // 6 -> 3 is odd
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, StatusOrFromOkStatusIsInternalError) {
  StatusOr<int> v(Status::Ok());
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace renkei
