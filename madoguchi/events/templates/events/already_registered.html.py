BBBBBBB BBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'お申し込み済みです')  X  X XXXXXXXXXBBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'お申し込み済みです') XXXXX
XXX gettext(u'このメールアドレス（%(email)s）では、「%(title)s」にすでにお申し込みいただいています。二重に申し込まれることはありません。') SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSXXXX
XXX gettext(u'申し込み内容の確認やキャンセルは、お申し込み時の確認ページ、または確認メールに記載したアドレスから行えます。') XXXX
XXXXX XXXXXXXX gettext(u'イベントのページに戻る') XXXXXXXX
BBBBBBBB
