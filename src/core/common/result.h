#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace rae {

// What went wrong, for people: what failed, where, and what they can do about it.
// `message` and `hint` are translated by whoever creates the error.
struct Error
{
    QString message;
    QString hint;
    QString where; // "plan.yaml:12:5", "node pve2", "VM 101"; empty when there is no place

    // One line: "where: message" followed by the hint on its own line when there is one.
    QString toString() const
    {
        QString text = where.isEmpty() ? message : where + QStringLiteral(": ") + message;
        if (!hint.isEmpty())
            text += QStringLiteral("\n  hint: ") + hint;
        return text;
    }
};

// A value or the error that kept it from being made; never a sentinel.
template<typename T, typename E = Error>
class Result
{
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    {}
    Result(E error)
        : m_state(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    T &&value() && { return std::get<0>(std::move(m_state)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const E &error() const { return std::get<1>(m_state); }

private:
    std::variant<T, E> m_state;
};

// For operations that produce nothing but can fail.
struct Done
{
};
using Status = Result<Done>;

} // namespace rae
