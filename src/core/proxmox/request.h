#pragma once

#include "proxmox/formencoding.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <chrono>
#include <optional>

namespace rae::proxmox {

// One API call as a value: what to ask, not how. `path` is below `/api2/json` and already
// percent-encoded per segment (build it with form::path() when a segment is not a plain word).
struct ApiRequest
{
    enum class Method
    {
        Get,
        Post,
        Put,
        Delete
    };

    Method method = Method::Get;
    QString path;
    form::Params params; // query string for GET/DELETE, form body for POST/PUT
    // Longest silence allowed; empty: the client's default, which outlasts pveproxy's 30 s
    // forwarding limit so that the server's own 596 arrives first.
    std::optional<std::chrono::milliseconds> timeout;

    static ApiRequest get(const QString &path, const form::Params &params = {})
    {
        return {Method::Get, path, params, std::nullopt};
    }
    static ApiRequest post(const QString &path, const form::Params &params = {})
    {
        return {Method::Post, path, params, std::nullopt};
    }
    static ApiRequest put(const QString &path, const form::Params &params = {})
    {
        return {Method::Put, path, params, std::nullopt};
    }
    static ApiRequest del(const QString &path, const form::Params &params = {})
    {
        return {Method::Delete, path, params, std::nullopt};
    }

    // Reads may be repeated after a failure; writes never are (the caller checks state instead).
    bool isRead() const { return method == Method::Get; }

    // The node a `/nodes/{node}/...` path is about; empty for cluster-wide paths.
    QString targetNode() const;
    QString methodName() const;
};

// A successful answer: the envelope's `data` (and the envelope, for `total` and `changes`).
struct ApiReply
{
    int httpStatus = 200;
    QJsonValue data;
    QJsonObject envelope;
    QString endpoint; // the base URL that answered
};

} // namespace rae::proxmox
