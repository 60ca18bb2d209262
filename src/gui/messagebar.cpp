#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace rae::gui {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_action);
    layout->addWidget(m_close);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Close this message"));
    connect(m_close, &QToolButton::clicked, this, &MessageBar::hide);
    connect(m_action, &QPushButton::clicked, this, [this] {
        hide();
        if (m_callback)
            m_callback();
    });
    hide();
}

QString MessageBar::text() const
{
    return isVisible() ? m_text->text() : QString();
}

void MessageBar::showMessage(Level level, const QString &text, const QString &actionText,
                             std::function<void()> action)
{
    m_level = level;
    m_text->setText(text);
    m_callback = std::move(action);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty());

    QStyle::StandardPixmap pixmap = QStyle::SP_MessageBoxInformation;
    QString colors = QStringLiteral("background:#e8f1fb; border:1px solid #9cc0e6;");
    if (level == Level::Warning) {
        pixmap = QStyle::SP_MessageBoxWarning;
        colors = QStringLiteral("background:#fdf3e1; border:1px solid #e6c27a;");
    } else if (level == Level::Error) {
        pixmap = QStyle::SP_MessageBoxCritical;
        colors = QStringLiteral("background:#fbe9e7; border:1px solid #e0a39b;");
    }
    m_icon->setPixmap(style()->standardIcon(pixmap).pixmap(20, 20));
    setStyleSheet(QStringLiteral("QFrame#messageBar { %1 border-radius:4px; }").arg(colors));
    show();
}

} // namespace rae::gui
