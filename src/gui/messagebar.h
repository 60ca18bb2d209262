#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QPushButton;
class QToolButton;

namespace rae::gui {

// A strip above the central view that says what went wrong and what to do, with at most one
// action button. It stays until closed or replaced, so an error is never only in a log.
class MessageBar final : public QFrame
{
    Q_OBJECT

public:
    enum class Level
    {
        Info,
        Warning,
        Error
    };

    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(Level level, const QString &text, const QString &actionText = {},
                     std::function<void()> action = {});
    QString text() const;
    Level level() const { return m_level; }

private:
    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_action = nullptr;
    QToolButton *m_close = nullptr;
    std::function<void()> m_callback;
    Level m_level = Level::Info;
};

} // namespace rae::gui
