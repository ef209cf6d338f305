"""Contacts CSV import benchmark: ``--rows`` synthetic contacts (Chinese names, companies and cities,
mobiles written in the forms Excel users type, a tenth with tags and notes, 2 % duplicates, 1 % broken
rows) imported through the same path as the import job (``contacts.importing.run``), then the same
file imported again (idempotent: every row unchanged). Prints seconds, rows per second, the CPU
seconds of this process (the machines are shared: wall time follows the load, printed too).

    python bench/contacts_import_bench.py [--rows 100000] [--encoding gb18030|utf-8-sig]

SQLite in a throw-away data folder, or PostgreSQL with ``NETMARK_DATABASE_URL`` set (then its
tables must be empty). Target (issue 5): 100 k rows in <= 60 s.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红娥玲芬燕彬鹏辉建国志文斌宇浩凯"
CITIES = [
    "昆明",
    "上海",
    "杭州",
    "深圳",
    "成都",
    "北京",
    "广州",
    "厦门",
    "南京",
    "福州",
    "西安",
    "长沙",
    "普洱",
    "大理",
]
COMPANY_WORDS = ["云岭", "茶马", "普洱", "滇红", "古树", "山茶", "茗香", "春芽", "龙井", "白毫"]
COMPANY_KINDS = ["贸易有限公司", "茶业有限公司", "茶庄", "茶舍", "电子商务有限公司", "茶文化传播有限公司"]
TITLES = ["采购经理", "店长", "老板", "运营", "市场部", "总经理", "主理人", "Buyer"]
SOURCES = ["展会", "微信", "官网表单", "淘宝客服", "电话", "小红书", "抖音", "LinkedIn"]
PHONE_FORMS = ["{n}", "+86 {a} {b} {c}", "+86{n}", "{a}-{b}-{c}", "0086 {n}", "86-{n}"]


def rows(count: int, seed: int = 5):
    rng = random.Random(seed)
    yield ["姓名", "手机", "邮箱", "公司", "职位", "城市", "来源", "标签", "备注"]
    for index in range(count):
        if index and rng.random() < 0.02:  # a duplicate of an earlier person, written differently
            index = rng.randrange(index)
        number = f"1{'3456789'[index % 7]}{index:09d}"
        phone = rng.choice(PHONE_FORMS).format(n=number, a=number[:3], b=number[3:7], c=number[7:])
        email = f"user{index}@mail{index % 97}.example"
        if rng.random() < 0.01:
            email = f"broken{index}@"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        company = rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)
        extra = rng.random() < 0.1
        yield [
            name,
            phone,
            email,
            company if rng.random() < 0.7 else "",
            rng.choice(TITLES),
            rng.choice(CITIES),
            rng.choice(SOURCES),
            "A类;批发" if extra else "",
            "秋茶展会名片，想要批发价" if extra else "",
        ]


def build_file(count: int, encoding: str) -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(count))
    return buffer.getvalue().encode(encoding)


def setup(data_dir: str):
    os.environ.update(NETMARK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="netmark.settings")
    for name in ("NETMARK_EVENTS_URL", "NETMARK_REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from netmark.core import services

    call_command("migrate", interactive=False, verbosity=0)
    return services.create_workspace(None, "基准 contacts bench", slug=f"contacts-bench-{int(time.time())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--encoding", default="gb18030", choices=["gb18030", "utf-8-sig", "utf-8"])
    args = parser.parse_args()
    workspace = setup(tempfile.mkdtemp(prefix="netmark-contacts-bench-"))
    from django.db import connection

    from netmark.contacts import importing

    data = build_file(args.rows, args.encoding)
    print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB ({args.encoding}), database {connection.vendor}")
    for label in ("first import", "same file again"):
        started, cpu = time.perf_counter(), time.process_time()
        outcome = importing.run(workspace, data, digest="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{label}: {seconds:.1f} s ({outcome.total / seconds:,.0f} rows/s; {cpu:.1f} s CPU in this "
            f"process, load {os.getloadavg()[0]:.1f}) created {outcome.created} updated {outcome.updated} "
            f"unchanged {outcome.unchanged} errors {outcome.error_count}"
        )


if __name__ == "__main__":
    main()
