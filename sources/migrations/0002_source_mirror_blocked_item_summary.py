from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="mirror_of",
            field=models.URLField(
                blank=True,
                help_text=(
                    "이 출처가 발행처의 페이지를 그대로 옮겨 싣는 사본일 때만 그 사이트 주소(예: "
                    "https://understandingwar.org). 비워 두면 페이지를 가져온 주소가 발행처를 정합니다."
                ),
                max_length=200,
                verbose_name="원 발행처 사이트",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="blocked_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="차단 시작"),
        ),
        migrations.AddField(
            model_name="source",
            name="blocked_detail",
            field=models.CharField(blank=True, max_length=300, verbose_name="차단 내용"),
        ),
        migrations.AddField(
            model_name="discovereditemrecord",
            name="summary",
            field=models.TextField(blank=True),
        ),
    ]
