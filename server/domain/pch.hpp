// Precompiled for the domain's sources: what they all parse (the domain
// needs no Asio or Beast; those are the API's and the network's, server/pch.hpp).
#pragma once

#include <boost/json.hpp>
#include <spdlog/spdlog.h>
