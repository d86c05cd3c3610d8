// A case with two facilitators, a harmed and a responsible party, all keys
// attested, and a roster built from the signed statements, for client tests.
#pragma once

#include "client-lib/keystore.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"

#include <gtest/gtest.h>

namespace shuttle::testing {

struct case_fixture {
  proto::id case_id = client::new_id();
  client::identity_key f1 = client::identity_key::generate();
  client::identity_key f2 = client::identity_key::generate();
  client::identity_key harmed = client::identity_key::generate();
  client::identity_key responsible = client::identity_key::generate();
  client::case_key f1c = client::case_key::generate();
  client::case_key f2c = client::case_key::generate();
  client::case_key harmed_c = client::case_key::generate();
  client::case_key responsible_c = client::case_key::generate();
  client::roster roster{case_id, f1.public_key()};

  explicit case_fixture(std::uint64_t approvals_required = 1) {
    proto::case_open open;
    open.header = client::header_for(case_id);
    open.approvals_required = approvals_required;
    EXPECT_TRUE(roster.add_case_open(*client::sign(open, f1)));
    EXPECT_TRUE(roster.add_facilitator_keys(*client::make_key_statement(f1, case_id, f1c)));
    attest(f2, f2c, proto::role::facilitator);
    attest(harmed, harmed_c, proto::role::harmed);
    attest(responsible, responsible_c, proto::role::responsible);
  }

  void attest(const client::identity_key& who, const client::case_key& key, proto::role role) {
    auto ks = client::make_key_statement(who, case_id, key);
    auto a = client::make_attestation(f1, *ks, role);
    EXPECT_TRUE(roster.add_attested(*a, *ks));
  }

  client::letter_draft draft(proto::role to = proto::role::responsible) const {
    client::letter_draft d;
    d.header = client::header_for(case_id);
    d.to = to;
    return d;
  }

  client::sealed_letter letter_from_harmed(const client::document& doc) const {
    auto l = client::seal_letter(harmed, harmed_c, draft(), roster.facilitator_readers(), doc);
    EXPECT_TRUE(l) << l.error().message();
    return *l;
  }

  result<client::delivered_letter> open_as_responsible(const client::sealed_letter& l,
                                                       const std::vector<proto::approval>& approvals) const {
    return client::open_delivered(roster, l.envelope, approvals, l.ciphertext, responsible, responsible_c,
                                  client::unix_now());
  }
};

}  // namespace shuttle::testing
