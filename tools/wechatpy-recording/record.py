#!/usr/bin/env python3
"""
Reference recording of the HTTP requests wechatpy 2.0.0a26 (wechatpy.work.WeChatClient) sends.

Run:  python tools/wechatpy-recording/record.py [OUT_DIR]     (with `pip install --pre wechatpy==2.0.0a26`)

It builds a WeChatClient with a preset access token (so no gettoken request is made), replaces
requests.Session.request (class level, so it also catches the module-level requests.get that
media.download uses) with a fake that

  * builds the real requests.PreparedRequest (what would go on the wire),
  * records method, path, query (access_token stripped), JSON body and multipart field names,
  * answers 200 with {"errcode":0,"errmsg":"ok"} plus the few keys the methods' result
    processors index into (so every method returns normally),

then calls every public method of every API group at least once, and again with the optional
parameters that change what is sent. Real network access is blocked (HTTPAdapter.send raises).

Outputs:
  recording.jsonl   one JSON object per request, keys sorted
  calls.json        the list of calls made (group, method, label, request count) -- used by SUMMARY
The script fails (exit 1) if any public method of any group is neither called nor listed as
URL-only / no-HTTP.
"""
import inspect
import io
import json
import os
import re
import sys
from urllib.parse import urlsplit, parse_qsl

import requests
import requests.adapters

import wechatpy
from wechatpy.client.base import _is_api_endpoint
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.work import WeChatClient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
OUT_DIR = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
OUT = os.path.join(OUT_DIR, "recording.jsonl")
CALLS_OUT = os.path.join(OUT_DIR, "calls.json")

# --------------------------------------------------------------------------------------------
# Fake transport
# --------------------------------------------------------------------------------------------

# Extra response keys some methods index into (res["agentlist"], result_processor=itemgetter(..)).
# Without them the method would raise KeyError after the request was already recorded; with
# them it returns normally. No "next_cursor" anywhere, so paginating helpers stop after one page.
RESPONSE_EXTRAS = {
    "/cgi-bin/agent/list": {"agentlist": []},
    "/cgi-bin/appchat/get": {"chat_info": {}},
    "/cgi-bin/oa/calendar/add": {"cal_id": "wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA"},
    "/cgi-bin/oa/calendar/update": {"cal_id": "wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA"},
    "/cgi-bin/oa/calendar/get": {"calendar_list": []},
    "/cgi-bin/department/list": {"department": [{"id": 1}, {"id": 2}]},
    "/cgi-bin/department/simplelist": {"department_id": []},
    "/cgi-bin/department/get": {"department": {"id": 1}},
    "/cgi-bin/user/simplelist": {"userlist": [{"userid": "zhangsan", "name": "张三"}]},
    "/cgi-bin/user/list": {"userlist": [{"userid": "zhangsan", "name": "张三"}]},
    "/cgi-bin/exmail/group/search": {"groups": []},
    "/cgi-bin/exmail/publicmail/create": {"id": 1},
    "/cgi-bin/exmail/publicmail/get": {"list": [{"id": 1}]},
    "/cgi-bin/exmail/publicmail/search": {"list": []},
    "/cgi-bin/exmail/useroption/get": {"option": {"list": []}},
    "/cgi-bin/exmail/mail/get_newcount": {"count": 0},
    "/cgi-bin/export/simple_user": {"jobid": "jobid_xxxxxxxxxxxxxxx"},
    "/cgi-bin/export/user": {"jobid": "jobid_xxxxxxxxxxxxxxx"},
    "/cgi-bin/export/department": {"jobid": "jobid_xxxxxxxxxxxxxxx"},
    "/cgi-bin/export/taguser": {"jobid": "jobid_xxxxxxxxxxxxxxx"},
    "/cgi-bin/externalcontact/groupchat/list": {"group_chat_list": []},
    "/cgi-bin/externalcontact/batch/get_by_user": {"external_contact_list": []},
    "/cgi-bin/get_jsapi_ticket": {"ticket": "TICKET", "expires_in": 7200},
    "/cgi-bin/ticket/get": {"ticket": "TICKET", "expires_in": 7200},
    "/cgi-bin/getcallbackip": {"ip_list": []},
    "/cgi-bin/oa/schedule/add": {"schedule_id": "17c7d2bd9f20d652840f72f59e796AAA"},
    "/cgi-bin/oa/schedule/get": {"schedule_list": []},
    "/cgi-bin/oa/schedule/get_by_calendar": {"schedule_list": []},
    "/cgi-bin/tag/list": {"taglist": []},
    "/cgi-bin/user/convert_to_userid": {"userid": "zhangsan"},
    "/cgi-bin/user/getuserid": {"userid": "zhangsan"},
    "/cgi-bin/corp/get_join_qrcode": {"join_qrcode": "https://work.weixin.qq.com/wework_admin/genqrcode?x"},
    "/cgi-bin/user/get_active_stat": {"active_cnt": 100},
}

RECORDS = []          # the recording
WIRE_META = []        # per request: things outside the record schema (headers etc.), for SUMMARY
CURRENT = {"group": None, "method": None}

_MULTIPART_NAME = re.compile(rb'Content-Disposition: form-data; name="([^"]*)"(?:; filename="([^"]*)")?')


def _flatten_query(pairs):
    q = {}
    for k, v in pairs:
        if k in q:
            if not isinstance(q[k], list):
                q[k] = [q[k]]
            q[k].append(v)
        else:
            q[k] = v
    return q


def fake_session_request(self, method, url, params=None, data=None, headers=None, cookies=None,
                         files=None, auth=None, timeout=None, allow_redirects=True, proxies=None,
                         hooks=None, stream=None, verify=None, cert=None, json=None):
    req = requests.Request(method=method.upper(), url=url, headers=headers, files=files,
                           data=data or {}, json=json, params=params or {}, auth=auth,
                           cookies=cookies, hooks=hooks)
    prep = self.prepare_request(req)
    parts = urlsplit(prep.url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = _flatten_query([(k, v) for k, v in pairs if k != "access_token"])
    access_tokens = [v for k, v in pairs if k == "access_token"]

    body = None
    file_fields = []
    ctype = prep.headers.get("Content-Type")
    raw = prep.body
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if ctype and ctype.startswith("multipart/form-data"):
        for name, filename in _MULTIPART_NAME.findall(raw or b""):
            if filename:
                file_fields.append(name.decode())
            else:  # a non-file form field would land here; wechatpy sends none
                body = body or {}
                body[name.decode()] = "<form field>"
    elif raw:
        body = __import__("json").loads(raw.decode("utf-8"))

    RECORDS.append({
        "group": CURRENT["group"],
        "method": CURRENT["method"],
        "http": prep.method,
        "path": parts.path,
        "query": query,
        "body": body,
        "files": file_fields,
    })
    WIRE_META.append({
        "host": parts.netloc,
        "content_type": ctype,
        "access_token": access_tokens,
        "via_client_session": self is getattr(fake_session_request, "client_session", None),
        "timeout": timeout,
    })

    resp = requests.Response()
    resp.status_code = 200
    payload = {"errcode": 0, "errmsg": "ok"}
    payload.update(RESPONSE_EXTRAS.get(parts.path, {}))
    resp._content = __import__("json").dumps(payload, ensure_ascii=False).encode("utf-8")
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.encoding = "utf-8"
    resp.url = prep.url
    resp.request = prep
    return resp


def _no_network(self, request, **kwargs):
    raise RuntimeError(f"real network access attempted: {request.method} {request.url}")


requests.Session.request = fake_session_request
requests.adapters.HTTPAdapter.send = _no_network


def make_client():
    c = WeChatClient(corp_id="ww-mock-corp", secret="mock-secret", access_token="mock-token")
    fake_session_request.client_session = c._http
    return c


def upload_file(name="test.jpg", content=b"\xff\xd8\xff\xe0fake-jpeg"):
    f = io.BytesIO(content)
    f.name = name
    return f


# --------------------------------------------------------------------------------------------
# The calls. (group, method, label, fn(client)). Values from the official request examples.
# --------------------------------------------------------------------------------------------
AGENT = 1000002
T0, T1 = 1492617600, 1492790400          # official checkin examples
EXT_UID = "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA"
CHAT_ID = "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"
CB = dict(url="https://example.com/callback", token="TOKEN",
          encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
AESKEY = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"
MSG_TEMPLATE = {
    "chat_type": "single",
    "external_userid": [EXT_UID, "wmqfasd1e1927831123109rBAAAA"],
    "sender": "zhangsan",
    "text": {"content": "文本消息内容"},
    "image": {"media_id": "MEDIA_ID", "pic_url": "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"},
    "link": {"title": "消息标题", "picurl": "https://example.pic.com/path", "desc": "消息描述",
             "url": "https://example.link.com/path"},
    "miniprogram": {"title": "消息标题", "pic_media_id": "MEDIA_ID", "appid": "wx8bd80126147dfAAA",
                    "page": "/path/index.html"},
}
WELCOME_MSG = {
    "welcome_code": "CALLBACK_CODE",
    "text": {"content": "文本消息内容"},
    "attachments": [
        {"msgtype": "image", "image": {"media_id": "MEDIA_ID", "pic_url": "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"}},
        {"msgtype": "link", "link": {"title": "消息标题", "picurl": "https://example.pic.com/path",
                                     "desc": "消息描述", "url": "https://example.link.com/path"}},
        {"msgtype": "miniprogram", "miniprogram": {"title": "消息标题", "pic_media_id": "MEDIA_ID",
                                                   "appid": "wx8bd80126147dfAAA", "page": "/path/index.html"}},
    ],
}
GROUP_WELCOME = {
    "text": {"content": "亲爱的%NICKNAME%用户，你好"},
    "image": {"media_id": "MEDIA_ID", "pic_url": "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"},
    "link": {"title": "消息标题", "picurl": "https://example.pic.com/path", "desc": "消息描述",
             "url": "https://example.link.com/path"},
    "miniprogram": {"title": "消息标题", "pic_media_id": "MEDIA_ID", "appid": "wx8bd80126147dfAAA",
                    "page": "/path/index"},
    "file": {"media_id": "1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o"},
    "video": {"media_id": "MEDIA_ID"},
    "notify": 1,
}
CONCLUSIONS = {
    "text": {"content": "文本消息内容"},
    "image": {"media_id": "MEDIA_ID"},
    "link": {"title": "消息标题", "picurl": "https://example.pic.com/path", "desc": "消息描述",
             "url": "https://example.link.com/path"},
    "miniprogram": {"title": "消息标题", "pic_media_id": "MEDIA_ID", "appid": "wx8bd80126147dfAAA",
                    "page": "/path/index.html"},
}
EXTATTR = {"attrs": [
    {"type": 0, "name": "文本名称", "text": {"value": "文本"}},
    {"type": 1, "name": "网页名称", "web": {"url": "http://www.test.com", "title": "标题"}},
]}
MENU = {"button": [
    {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
    {"name": "菜单", "sub_button": [
        {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
        {"type": "click", "name": "赞一下我们", "key": "V1001_GOOD"},
    ]},
]}
NEWS_ARTICLES = [{"title": "中秋节礼品领取", "description": "今年中秋节公司有豪礼相送",
                  "url": "URL", "picurl": "http://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png"}]
MPNEWS_ARTICLES = [{"title": "Title", "thumb_media_id": "MEDIA_ID", "author": "Author",
                    "content_source_url": "URL", "content": "Content", "digest": "Digest description"}]
APPROVER = [{"attr": 2, "userid": ["WuJunJie", "WangXiaoMing"]}, {"attr": 1, "userid": ["LiuXiaoGang"]}]
APPLY_DATA = {"contents": [{"control": "Text", "id": "Text-15111111111", "value": {"text": "文本填写的内容"}}]}
SUMMARY_LIST = [{"summary_info": [{"text": "摘要第1行", "lang": "zh_CN"}]}]
KF_MENU = [
    {"type": "click", "click": {"id": "101", "content": "满意"}},
    {"type": "view", "view": {"url": "https://work.weixin.qq.com", "content": "点击跳转到自助查询页面"}},
    {"type": "miniprogram", "miniprogram": {"appid": "wx123123123123123",
                                             "pagepath": "pages/index?userid=zhangsan&orderid=123123123",
                                             "content": "点击打开小程序查询更多"}},
]

CALLS = [
    # ---------------- agent ----------------
    ("agent", "get", "agent_id", lambda c: c.agent.get(AGENT)),
    ("agent", "list", "no args", lambda c: c.agent.list()),
    ("agent", "set", "only agent_id (defaults still sent)", lambda c: c.agent.set(AGENT)),
    ("agent", "set", "every parameter", lambda c: c.agent.set(
        AGENT, name="NAME", description="DESC", redirect_domain="xxx.qq.com",
        logo_media_id="j5Y8X5yocspvBHcgXMSS6z1Cn9RQKREEJr4ecgLHi4YHOYP-plvom-yD9zNI0vEl",
        report_location_flag=1, is_report_user=False, is_report_enter=False)),

    # ---------------- appchat ----------------
    ("appchat", "create", "every parameter", lambda c: c.appchat.create(
        chat_id="CHATID", name="NAME", owner="userid1", user_list=["userid1", "userid2", "userid3"])),
    ("appchat", "create", "only user_list", lambda c: c.appchat.create(user_list=["userid1", "userid2"])),
    ("appchat", "get", "chat_id", lambda c: c.appchat.get("CHATID")),
    ("appchat", "update", "every parameter", lambda c: c.appchat.update(
        "CHATID", name="NAME", owner="userid2", add_user_list=["userid1", "userid2", "userid3"],
        del_user_list=["userid3", "userid4"])),
    ("appchat", "update", "only chat_id", lambda c: c.appchat.update("CHATID")),
    ("appchat", "send", "text", lambda c: c.appchat.send("CHATID", "text", content="你的快递已到")),
    ("appchat", "send", "text safe=1", lambda c: c.appchat.send("CHATID", "text", content="你的快递已到", safe=1)),
    ("appchat", "send", "image", lambda c: c.appchat.send("CHATID", "image", media_id="MEDIAID")),
    ("appchat", "send", "voice", lambda c: c.appchat.send("CHATID", "voice", media_id="MEDIA_ID")),
    ("appchat", "send", "file", lambda c: c.appchat.send("CHATID", "file", media_id="1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o")),
    ("appchat", "send", "video", lambda c: c.appchat.send(
        "CHATID", "video", media_id="MEDIA_ID", title="Title", description="Description")),
    ("appchat", "send", "video media_id only (title/description null)", lambda c: c.appchat.send(
        "CHATID", "video", media_id="MEDIA_ID")),
    ("appchat", "send", "textcard without btntxt (btntxt null)", lambda c: c.appchat.send(
        "CHATID", "textcard", title="领奖通知", description="<div class=\"gray\">2016年9月26日</div>",
        url="https://work.weixin.qq.com/")),
    ("appchat", "send", "textcard", lambda c: c.appchat.send(
        "CHATID", "textcard", title="领奖通知", description="<div class=\"gray\">2016年9月26日</div>",
        url="https://work.weixin.qq.com/", btntxt="更多")),
    ("appchat", "send", "news (kwargs become the news object)", lambda c: c.appchat.send(
        "CHATID", "news", articles=NEWS_ARTICLES)),
    ("appchat", "send", "mpnews with safe=1 (safe leaks into mpnews object)", lambda c: c.appchat.send(
        "CHATID", "mpnews", articles=MPNEWS_ARTICLES, safe=1)),
    ("appchat", "send", "markdown", lambda c: c.appchat.send(
        "CHATID", "markdown", content="您的会议室已经预定，稍后会同步到`邮箱`")),
    ("appchat", "send_text", "default safe", lambda c: c.appchat.send_text("CHATID", "你的快递已到")),
    ("appchat", "send_text", "safe=1", lambda c: c.appchat.send_text("CHATID", "你的快递已到", safe=1)),

    # ---------------- batch ----------------
    ("batch", "sync_user", "default to_invite", lambda c: c.batch.sync_user(media_id="xxxxxx", **CB)),
    ("batch", "sync_user", "to_invite=False", lambda c: c.batch.sync_user(media_id="xxxxxx", to_invite=False, **CB)),
    ("batch", "replace_user", "to_invite=False", lambda c: c.batch.replace_user(media_id="xxxxxx", to_invite=False, **CB)),
    ("batch", "replace_party", "all", lambda c: c.batch.replace_party(media_id="xxxxxx", **CB)),
    ("batch", "get_result", "job_id", lambda c: c.batch.get_result("JOBID")),
    ("batch", "invite", "user+party+tag", lambda c: c.batch.invite(
        user=["UserID1", "UserID2", "UserID3"], party=[1, 2], tag=[1, 2])),
    ("batch", "invite", "only user", lambda c: c.batch.invite(user=["UserID1"])),

    # ---------------- calendar ----------------
    ("calendar", "add", "every parameter", lambda c: c.calendar.add(
        "userid1", "test_summary", "#FF3030", description="test_describe", shares=["userid2", "userid3"])),
    ("calendar", "add", "required only", lambda c: c.calendar.add("userid1", "test_summary", "#FF3030")),
    ("calendar", "update", "every parameter", lambda c: c.calendar.update(
        "wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA", "test_summary", "#FF3030", description="test_describe_1",
        shares=["userid1", "userid2"])),
    ("calendar", "get", "ids", lambda c: c.calendar.get(["wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA"])),
    ("calendar", "delete", "id", lambda c: c.calendar.delete("wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA")),

    # ---------------- department ----------------
    ("department", "create", "every parameter", lambda c: c.department.create(
        "广州研发中心", parent_id=1, order=1, id=2, name_en="RDGZ")),
    ("department", "create", "name only (parentid=1 default)", lambda c: c.department.create("广州研发中心")),
    ("department", "update", "every parameter", lambda c: c.department.update(
        2, name="广州研发中心", parent_id=1, order=1, name_en="RDGZ")),
    ("department", "update", "id only", lambda c: c.department.update(2)),
    ("department", "delete", "id", lambda c: c.department.delete(2)),
    ("department", "list", "no id", lambda c: c.department.list()),
    ("department", "list", "id=1", lambda c: c.department.list(1)),
    ("department", "simple_list", "no id", lambda c: c.department.simple_list()),
    ("department", "simple_list", "id=1", lambda c: c.department.simple_list(1)),
    ("department", "get", "id", lambda c: c.department.get(1)),
    ("department", "get_users", "simple (default)", lambda c: c.department.get_users(1)),
    ("department", "get_users", "fetch_child=1, simple=False", lambda c: c.department.get_users(1, fetch_child=1, simple=False)),
    ("department", "get_map_users", "id=None (list + user/list per dept)", lambda c: c.department.get_map_users()),
    ("department", "get_map_users", "id=1, fetch_child=1", lambda c: c.department.get_map_users(1, key="name", fetch_child=1)),

    # ---------------- email ----------------
    ("email", "create_group", "lists, no allow_type", lambda c: c.email.create_group(
        "zhangsangroup@gzdev.com", "zhangsangroup", email_list=["zhangsan@gzdev.com", "lisi@gzdev.com"],
        tag_list=[1, 2], department_list=[1, 2], group_list=["group@gzdev.com"])),
    ("email", "create_group", "allow_type=0", lambda c: c.email.create_group(
        "zhangsangroup@gzdev.com", "zhangsangroup", email_list=["zhangsan@gzdev.com"], allow_type=0)),
    ("email", "create_group", "allow_type=3 with allow_* lists", lambda c: c.email.create_group(
        "zhangsangroup@gzdev.com", "zhangsangroup", email_list=["zhangsan@gzdev.com"], allow_type=3,
        allow_emaillist=["zhangsan@gzdev.com", "lisi@gzdev.com"], allow_departmentlist=[1, 2],
        allow_taglist=[1, 2])),
    ("email", "update_group", "every parameter", lambda c: c.email.update_group(
        "zhangsangroup@gzdev.com", group_name="zhangsangroup", email_list=["zhangsan@gzdev.com"],
        tag_list=[1, 2], department_list=[1, 2], group_list=["group@gzdev.com"], allow_type=3,
        allow_emaillist=["zhangsan@gzdev.com"], allow_departmentlist=[1, 2], allow_taglist=[1, 2])),
    ("email", "update_group", "group_id only", lambda c: c.email.update_group("zhangsangroup@gzdev.com")),
    ("email", "delete_group", "group_id", lambda c: c.email.delete_group("zhangsangroup@gzdev.com")),
    ("email", "get_group", "group_id", lambda c: c.email.get_group("zhangsangroup@gzdev.com")),
    ("email", "search_group", "fuzzy=0", lambda c: c.email.search_group(0)),
    ("email", "search_group", "fuzzy=1 + group_id", lambda c: c.email.search_group(1, group_id="zhangsangroup")),
    ("email", "create_public_email", "every parameter", lambda c: c.email.create_public_email(
        "zhangsan@gzdev.com", "张三的邮箱", userid_list=["zhangsan", "lisi"], department_list=[1, 2], tag_list=[1, 2])),
    ("email", "create_public_email", "email+name only", lambda c: c.email.create_public_email("zhangsan@gzdev.com", "张三的邮箱")),
    ("email", "update_public_email", "every parameter", lambda c: c.email.update_public_email(
        1, name="张三的邮箱", userid_list=["zhangsan"], department_list=[1], tag_list=[1])),
    ("email", "update_public_email", "id only", lambda c: c.email.update_public_email(1)),
    ("email", "delete_public_email", "id", lambda c: c.email.delete_public_email(1)),
    ("email", "get_public_email", "id (wraps batch_get)", lambda c: c.email.get_public_email(1)),
    ("email", "batch_get_public_email", "ids", lambda c: c.email.batch_get_public_email([1, 2])),
    ("email", "search_public_email", "fuzzy=0", lambda c: c.email.search_public_email(0)),
    ("email", "search_public_email", "fuzzy=1 + email", lambda c: c.email.search_public_email(1, email="zhangsan")),
    ("email", "active_email", "user_id", lambda c: c.email.active_email(user_id="zhangsan")),
    ("email", "active_email", "public_email_id", lambda c: c.email.active_email(public_email_id=1)),
    ("email", "inactive_email", "user_id", lambda c: c.email.inactive_email(user_id="zhangsan")),
    ("email", "inactive_email", "public_email_id", lambda c: c.email.inactive_email(public_email_id=1)),
    ("email", "get_user_option", "types", lambda c: c.email.get_user_option("zhangsan", [1, 2, 3, 4])),
    ("email", "update_user_option", "option list", lambda c: c.email.update_user_option(
        "zhangsan", [{"type": 1, "value": "0"}, {"type": 2, "value": "1"}, {"type": 3, "value": "0"}])),
    ("email", "get_new_email_count", "user_id", lambda c: c.email.get_new_email_count("zhangsan")),

    # ---------------- export ----------------
    ("export", "export_simple_user", "default block_size", lambda c: c.export.export_simple_user(AESKEY)),
    ("export", "export_simple_user", "block_size=10000", lambda c: c.export.export_simple_user(AESKEY, 10000)),
    ("export", "export_user", "block_size=10000", lambda c: c.export.export_user(AESKEY, 10000)),
    ("export", "export_department", "block_size=10000", lambda c: c.export.export_department(AESKEY, 10000)),
    ("export", "export_taguser", "tagid", lambda c: c.export.export_taguser(1, AESKEY, 10000)),
    ("export", "get_result", "jobid", lambda c: c.export.get_result("jobid_xxxxxxxxxxxxxxx")),

    # ---------------- external_contact ----------------
    ("external_contact", "get_follow_user_list", "no args", lambda c: c.external_contact.get_follow_user_list()),
    ("external_contact", "list", "userid", lambda c: c.external_contact.list("zhangsan")),
    ("external_contact", "batch_get_by_user", "defaults (cursor='' limit=50)", lambda c: c.external_contact.batch_get_by_user("zhangsan")),
    ("external_contact", "batch_get_by_user", "cursor+limit", lambda c: c.external_contact.batch_get_by_user("zhangsan", "CURSOR", 100)),
    ("external_contact", "gen_all_by_user", "iterated to the end", lambda c: list(c.external_contact.gen_all_by_user("zhangsan", 100))),
    ("external_contact", "get", "external_userid", lambda c: c.external_contact.get(EXT_UID)),
    ("external_contact", "add_contact_way", "type+scene only (defaults still sent)", lambda c: c.external_contact.add_contact_way(1, 2)),
    ("external_contact", "add_contact_way", "every parameter", lambda c: c.external_contact.add_contact_way(
        type=1, scene=1, style=1, remark="渠道客户", skip_verify=True, state="teststate",
        user=["zhangsan", "lisi", "wangwu"], party=[2, 3], is_temp=True, expires_in=86400,
        chat_expires_in=86400, unionid="oxTWIuGaIt6gTKsQRLau2M0AAAA", conclusions=CONCLUSIONS)),
    ("external_contact", "get_contact_way", "config_id", lambda c: c.external_contact.get_contact_way("42b34949e138eb6e027c123cba77fAAA")),
    ("external_contact", "update_contact_way", "config_id+remark only", lambda c: c.external_contact.update_contact_way(
        "42b34949e138eb6e027c123cba77fAAA", "渠道客户")),
    ("external_contact", "update_contact_way", "every parameter", lambda c: c.external_contact.update_contact_way(
        "42b34949e138eb6e027c123cba77fAAA", "渠道客户", skip_verify=False, style=1, state="teststate",
        user=["UserID1", "UserID2", "UserID3"], party=[2, 3])),
    ("external_contact", "del_contact_way", "config_id", lambda c: c.external_contact.del_contact_way("42b34949e138eb6e027c123cba77fAAA")),
    ("external_contact", "add_msg_template", "docstring template (passthrough)", lambda c: c.external_contact.add_msg_template(MSG_TEMPLATE)),
    ("external_contact", "get_group_msg_result", "msgid", lambda c: c.external_contact.get_group_msg_result("msgGCAAAXtWyujaWJHDDGi0mACAAAA")),
    ("external_contact", "get_user_behavior_data", "userid list", lambda c: c.external_contact.get_user_behavior_data(
        ["zhangsan", "lisi"], 1536508800, 1536940800)),
    ("external_contact", "get_user_behavior_data", "userid + partyid", lambda c: c.external_contact.get_user_behavior_data(
        ["zhangsan"], 1536508800, 1536940800, partyid=[1001, 1002])),
    ("external_contact", "get_user_behavior_data", "partyid only", lambda c: c.external_contact.get_user_behavior_data(
        None, 1536508800, 1536940800, partyid=[1001])),
    ("external_contact", "send_welcome_msg", "template (passthrough)", lambda c: c.external_contact.send_welcome_msg(WELCOME_MSG)),
    ("external_contact", "get_unassigned_list", "defaults", lambda c: c.external_contact.get_unassigned_list()),
    ("external_contact", "get_unassigned_list", "cursor", lambda c: c.external_contact.get_unassigned_list(0, 100, "CURSOR")),
    ("external_contact", "transfer", "required", lambda c: c.external_contact.transfer(EXT_UID, "zhangsan", "lisi")),
    ("external_contact", "transfer", "with transfer_success_msg", lambda c: c.external_contact.transfer(
        EXT_UID, "zhangsan", "lisi", transfer_success_msg="您好，您的服务已升级，后续将由我的同事李四@腾讯接替我的工作，继续为您服务。")),
    ("external_contact", "get_corp_tag_list", "all tags", lambda c: c.external_contact.get_corp_tag_list()),
    ("external_contact", "get_corp_tag_list", "tag_ids", lambda c: c.external_contact.get_corp_tag_list(
        ["etXXXXXXXXXX", "etYYYYYYYYYY"])),
    ("external_contact", "add_corp_tag", "every parameter", lambda c: c.external_contact.add_corp_tag(
        "GROUP_ID", "GROUP_NAME", 1, [{"name": "TAG_NAME_1", "order": 1}, {"name": "TAG_NAME_2", "order": 2}])),
    ("external_contact", "add_corp_tag", "group_id None", lambda c: c.external_contact.add_corp_tag(
        None, "GROUP_NAME", None, [{"name": "TAG_NAME_1"}])),
    ("external_contact", "edit_corp_tag", "every parameter", lambda c: c.external_contact.edit_corp_tag("TAG_ID", "NEW_TAG_NAME", 1)),
    ("external_contact", "edit_corp_tag", "id only", lambda c: c.external_contact.edit_corp_tag("TAG_ID")),
    ("external_contact", "del_corp_tag", "tag_id + group_id", lambda c: c.external_contact.del_corp_tag(
        tag_id=["TAG_ID_1", "TAG_ID_2"], group_id=["GROUP_ID_1", "GROUP_ID_2"])),
    ("external_contact", "del_corp_tag", "tag_id only", lambda c: c.external_contact.del_corp_tag(tag_id=["TAG_ID_1"])),
    ("external_contact", "mark_tag", "add only (remove_tag [] still sent)", lambda c: c.external_contact.mark_tag(
        "zhangsan", EXT_UID, add_tag=["TAGID1", "TAGID2"])),
    ("external_contact", "mark_tag", "add + remove", lambda c: c.external_contact.mark_tag(
        "zhangsan", EXT_UID, add_tag=["TAGID1"], remove_tag=["TAGID3", "TAGID4"])),
    ("external_contact", "get_group_chat_list", "limit only", lambda c: c.external_contact.get_group_chat_list(10)),
    ("external_contact", "get_group_chat_list", "every parameter", lambda c: c.external_contact.get_group_chat_list(
        10, status_filter=0, owner_filter={"userid_list": ["abel"]}, cursor="r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI")),
    ("external_contact", "get_group_chat_info", "chat_id", lambda c: c.external_contact.get_group_chat_info(CHAT_ID)),
    ("external_contact", "add_group_welcome_template", "no agentid", lambda c: c.external_contact.add_group_welcome_template(GROUP_WELCOME)),
    ("external_contact", "add_group_welcome_template", "agentid", lambda c: c.external_contact.add_group_welcome_template(
        GROUP_WELCOME, agentid=1000014)),
    ("external_contact", "update_group_welcome_template", "agentid", lambda c: c.external_contact.update_group_welcome_template(
        {k: v for k, v in GROUP_WELCOME.items() if k != "notify"}, "msgXXXXXXX", agentid=1000014)),
    ("external_contact", "update_group_welcome_template", "no agentid", lambda c: c.external_contact.update_group_welcome_template(
        {"text": {"content": "亲爱的%NICKNAME%用户，你好"}}, "msgXXXXXXX")),
    ("external_contact", "get_group_welcome_template", "template_id", lambda c: c.external_contact.get_group_welcome_template("msgXXXXXXX")),
    ("external_contact", "del_group_welcome_template", "no agentid", lambda c: c.external_contact.del_group_welcome_template("msgXXXXXXX")),
    ("external_contact", "del_group_welcome_template", "agentid", lambda c: c.external_contact.del_group_welcome_template(
        "msgXXXXXXX", agentid=1000014)),

    # ---------------- external_contact_group_chat ----------------
    ("external_contact_group_chat", "list", "defaults", lambda c: c.external_contact_group_chat.list()),
    ("external_contact_group_chat", "list", "every parameter", lambda c: c.external_contact_group_chat.list(
        status_filter=1, owner_userid_list=["abel"], cursor="r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI", limit=10)),
    ("external_contact_group_chat", "list_all", "owner filter (1 page)", lambda c: c.external_contact_group_chat.list_all(
        status_filter=0, owner_userid_list=["abel"], limit=100)),
    ("external_contact_group_chat", "get", "chat_id", lambda c: c.external_contact_group_chat.get(CHAT_ID)),
    ("external_contact_group_chat", "statistic", "day_begin_time only", lambda c: c.external_contact_group_chat.statistic(1600272000)),
    ("external_contact_group_chat", "statistic", "every parameter", lambda c: c.external_contact_group_chat.statistic(
        1600272000, day_end_time=1600444800, owner_userid_list=["zhangsan"], order_by=2, order_asc=1, offset=0, limit=1000)),

    # ---------------- invoice ----------------
    ("invoice", "get_info", "card_id+encrypt_code", lambda c: c.invoice.get_info("CARDID", "ENCRYPTCODE")),
    ("invoice", "get_info_batch", "item_list", lambda c: c.invoice.get_info_batch(
        [{"card_id": "CARDID1", "encrypt_code": "ENCRYPTCODE1"}, {"card_id": "CARDID2", "encrypt_code": "ENCRYPTCODE2"}])),
    ("invoice", "update_status", "LOCK", lambda c: c.invoice.update_status("CARDID", "ENCRYPTCODE", "INVOICE_REIMBURSE_LOCK")),
    ("invoice", "update_status_batch", "INIT", lambda c: c.invoice.update_status_batch(
        "OPENID", "INVOICE_REIMBURSE_INIT",
        [{"card_id": "cardid_1", "encrypt_code": "encrypt_code_1"}, {"card_id": "cardid_2", "encrypt_code": "encrypt_code_2"}])),

    # ---------------- jsapi ----------------
    ("jsapi", "get_ticket", "no args", lambda c: c.jsapi.get_ticket()),
    ("jsapi", "get_agent_ticket", "no args", lambda c: c.jsapi.get_agent_ticket()),
    ("jsapi", "get_jsapi_ticket", "cached helper (1st call fetches)", lambda c: c.jsapi.get_jsapi_ticket()),
    ("jsapi", "get_agent_jsapi_ticket", "cached helper (1st call fetches)", lambda c: c.jsapi.get_agent_jsapi_ticket()),

    # ---------------- kf ----------------
    ("kf", "sync_msg", "token only (cursor='' limit=1000 sent)", lambda c: c.kf.sync_msg("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR")),
    ("kf", "sync_msg", "every parameter", lambda c: c.kf.sync_msg("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR", "4gw7MepFLfgF2VC5npN", 1000)),
    ("kf", "get_service_state", "required", lambda c: c.kf.get_service_state("wkxxxxxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx")),
    ("kf", "trans_service_state", "no servicer", lambda c: c.kf.trans_service_state("wkxxxxxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx", 1)),
    ("kf", "trans_service_state", "servicer_userid", lambda c: c.kf.trans_service_state(
        "wkxxxxxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx", 3, servicer_userid="zhangsan")),
    ("kf", "get_servicer_list", "open_kfid", lambda c: c.kf.get_servicer_list("wkxxxxxxxxxxxxxxxxxx")),
    ("kf", "add_servicer", "list", lambda c: c.kf.add_servicer("wkxxxxxxxxxxxxxxxxxx", ["zhangsan", "lisi"])),
    ("kf", "add_servicer", "single str (wrapped in list)", lambda c: c.kf.add_servicer("wkxxxxxxxxxxxxxxxxxx", "zhangsan")),
    ("kf", "del_servicer", "list", lambda c: c.kf.del_servicer("wkxxxxxxxxxxxxxxxxxx", ["zhangsan", "lisi"])),
    ("kf", "batchget_customer", "list", lambda c: c.kf.batchget_customer(["wmxxxxxxxxxxxxxxxxxxxxxx", "zhangsan"])),
    ("kf", "get_account_list", "no args", lambda c: c.kf.get_account_list()),
    ("kf", "add_contact_way", "open_kfid+scene", lambda c: c.kf.add_contact_way("OPEN_KFID", "12345")),
    ("kf", "get_upgrade_service_config", "no args", lambda c: c.kf.get_upgrade_service_config()),
    ("kf", "upgrade_service", "type=1 member", lambda c: c.kf.upgrade_service(
        "kfxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx", 1, member={"userid": "zhangsan", "wording": "你好，我是你的专属服务专员"})),
    ("kf", "upgrade_service", "type=2 groupchat", lambda c: c.kf.upgrade_service(
        "kfxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx", 2, groupchat={"chat_id": "wraaaaaaaaaaaaaaaa", "wording": "欢迎加入你的专属服务群"})),
    ("kf", "cancel_upgrade_service", "required", lambda c: c.kf.cancel_upgrade_service("kfxxxxxxxxxxxxxx", "wmxxxxxxxxxxxxxxxxxx")),
    ("kf", "send_msg_on_event", "text, no msgid", lambda c: c.kf.send_msg_on_event("CODE", "text", {"text": {"content": "欢迎咨询"}})),
    ("kf", "send_msg_on_event", "msgmenu with msgid", lambda c: c.kf.send_msg_on_event(
        "CODE", "msgmenu", {"msgmenu": {"head_content": "您对本次服务是否满意呢? ", "list": KF_MENU[:1], "tail_content": "欢迎再次光临"}},
        msgid="MSG_ID")),

    # ---------------- kf_message ----------------
    ("kf_message", "send", "raw msg, no msgid", lambda c: c.kf_message.send(
        "EXTERNAL_USERID", "OPEN_KFID", msg={"msgtype": "text", "text": {"content": "你购买的物品已发货"}})),
    ("kf_message", "send", "raw msg, msgid", lambda c: c.kf_message.send(
        "EXTERNAL_USERID", "OPEN_KFID", msgid="MSGID", msg={"msgtype": "text", "text": {"content": "你购买的物品已发货"}})),
    ("kf_message", "send_text", "msgid", lambda c: c.kf_message.send_text("EXTERNAL_USERID", "OPEN_KFID", "你购买的物品已发货", msgid="MSGID")),
    ("kf_message", "send_text", "no msgid", lambda c: c.kf_message.send_text("EXTERNAL_USERID", "OPEN_KFID", "你购买的物品已发货")),
    ("kf_message", "send_image", "", lambda c: c.kf_message.send_image("EXTERNAL_USERID", "OPEN_KFID", "MEDIA_ID", msgid="MSGID")),
    ("kf_message", "send_voice", "", lambda c: c.kf_message.send_voice("EXTERNAL_USERID", "OPEN_KFID", "MEDIA_ID", msgid="MSGID")),
    ("kf_message", "send_video", "", lambda c: c.kf_message.send_video("EXTERNAL_USERID", "OPEN_KFID", "MEDIA_ID", msgid="MSGID")),
    ("kf_message", "send_file", "", lambda c: c.kf_message.send_file("EXTERNAL_USERID", "OPEN_KFID", "1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o", msgid="MSGID")),
    ("kf_message", "send_articles_link", "", lambda c: c.kf_message.send_articles_link(
        "EXTERNAL_USERID", "OPEN_KFID", {"title": "企业如何增长？", "desc": "重磅！", "url": "https://work.weixin.qq.com",
                                        "thumb_media_id": "MEDIA_ID"}, msgid="MSGID")),
    ("kf_message", "send_msgmenu", "", lambda c: c.kf_message.send_msgmenu(
        "EXTERNAL_USERID", "OPEN_KFID", "您对本次服务是否满意呢? ", KF_MENU, "欢迎再次光临", msgid="MSGID")),
    ("kf_message", "send_location", "", lambda c: c.kf_message.send_location(
        "EXTERNAL_USERID", "OPEN_KFID", "测试小区", "实例小区，不真实存在，经纬度无意义", 0, 0, msgid="MSGID")),
    ("kf_message", "send_miniprogram", "", lambda c: c.kf_message.send_miniprogram(
        "EXTERNAL_USERID", "OPEN_KFID", "APPID", "欢迎报名夏令营", "MEDIA_ID", "PAGE_PATH", msgid="MSGID")),

    # ---------------- living ----------------
    ("living", "create", "required only (defaults still sent)", lambda c: c.living.create("zhangsan", "theme", 1600000000, 3600)),
    ("living", "create", "every parameter", lambda c: c.living.create(
        "zhangsan", "theme", 1600000000, 3600, type=4, description="test description", agentid=1000014,
        remind_time=60, activity_cover_mediaid="MEDIA_ID", activity_share_mediaid="MEDIA_ID",
        activity_detail={"description": "活动描述，非活动类型的直播不用传", "image_list": ["MEDIA_ID_1", "MEDIA_ID_2"]})),
    ("living", "modify", "livingid only (remind_time=0 still sent)", lambda c: c.living.modify("XXXXXXXXX")),
    ("living", "modify", "every parameter", lambda c: c.living.modify(
        "XXXXXXXXX", theme="theme", living_start=1600100000, living_duration=3600, type=1,
        description="test description", remind_time=60)),
    ("living", "cancel", "livingid", lambda c: c.living.cancel("XXXXXXXXX")),
    ("living", "delete_replay_data", "livingid", lambda c: c.living.delete_replay_data("XXXXXXXXX")),
    ("living", "get_living_code", "livingid+openid", lambda c: c.living.get_living_code("XXXXXXXXX", "abcopenid")),
    ("living", "get_user_all_livingid", "defaults", lambda c: c.living.get_user_all_livingid("USERID")),
    ("living", "get_user_all_livingid", "cursor", lambda c: c.living.get_user_all_livingid("USERID", cursor="NEXT_KEY", limit=20)),
    ("living", "get_living_info", "livingid", lambda c: c.living.get_living_info("XXXXXXXXX")),
    ("living", "get_watch_stat", "default next_key", lambda c: c.living.get_watch_stat("XXXXXXXXX")),
    ("living", "get_watch_stat", "next_key", lambda c: c.living.get_watch_stat("XXXXXXXXX", "NEXT_KEY")),
    ("living", "get_living_share_info", "ww_share_code", lambda c: c.living.get_living_share_info("CODE")),

    # ---------------- media ----------------
    ("media", "upload", "image", lambda c: c.media.upload("image", upload_file())),
    ("media", "upload", "file", lambda c: c.media.upload("file", upload_file("doc.pdf", b"%PDF-1.4"))),
    ("media", "upload_img", "jpg", lambda c: c.media.upload_img(upload_file())),
    ("media", "download", "module-level requests.get", lambda c: c.media.download("MEDIA_ID")),

    # ---------------- menu ----------------
    ("menu", "create", "menu", lambda c: c.menu.create(AGENT, MENU)),
    ("menu", "get", "agent_id", lambda c: c.menu.get(AGENT)),
    ("menu", "delete", "agent_id", lambda c: c.menu.delete(AGENT)),
    ("menu", "update", "delete then create", lambda c: c.menu.update(AGENT, MENU)),

    # ---------------- message ----------------
    ("message", "send", "lists joined with |", lambda c: c.message.send(
        AGENT, ["UserID1", "UserID2"], party_ids=["PartyID1", "PartyID2"], tag_ids=["TagID1", "TagID2"],
        msg={"msgtype": "text", "text": {"content": "你的快递已到"}})),
    ("message", "send", "@all, msg with every optional top-level key", lambda c: c.message.send(
        AGENT, "@all", msg={"msgtype": "text", "text": {"content": "你的快递已到"}, "safe": 0,
                            "enable_id_trans": 0, "enable_duplicate_check": 0, "duplicate_check_interval": 1800})),
    ("message", "send", "no msg (msg=None)", lambda c: c.message.send(AGENT, "zhangsan")),
    ("message", "send", "miniprogram_notice via raw msg", lambda c: c.message.send(
        AGENT, "zhangsan", msg={"msgtype": "miniprogram_notice", "miniprogram_notice": {
            "appid": "wx123123123123123", "page": "pages/index?userid=zhangsan&orderid=123123123",
            "title": "会议室预订成功通知", "description": "4月27日 16:16", "emphasis_first_item": True,
            "content_item": [{"key": "会议室", "value": "402"}]}})),
    ("message", "send_text", "defaults", lambda c: c.message.send_text(AGENT, "zhangsan", "你的快递已到")),
    ("message", "send_text", "party/tag/safe", lambda c: c.message.send_text(
        AGENT, ["zhangsan", "lisi"], "你的快递已到", party_ids=["1"], tag_ids=["2"], safe=1)),
    ("message", "send_text_card", "defaults", lambda c: c.message.send_text_card(
        AGENT, "zhangsan", "领奖通知", "<div class=\"gray\">2016年9月26日</div>", "URL")),
    ("message", "send_text_card", "btntxt + party/tag", lambda c: c.message.send_text_card(
        AGENT, "zhangsan", "领奖通知", "<div class=\"gray\">2016年9月26日</div>", "URL", btntxt="更多",
        party_ids="1", tag_ids="2")),
    ("message", "send_image", "safe=1", lambda c: c.message.send_image(AGENT, "zhangsan", "MEDIA_ID", party_ids="1", tag_ids="2", safe=1)),
    ("message", "send_voice", "", lambda c: c.message.send_voice(AGENT, "zhangsan", "MEDIA_ID", party_ids="1", tag_ids="2", safe=1)),
    ("message", "send_video", "media_id only", lambda c: c.message.send_video(AGENT, "zhangsan", "MEDIA_ID")),
    ("message", "send_video", "title+description", lambda c: c.message.send_video(
        AGENT, "zhangsan", "MEDIA_ID", title="Title", description="Description", party_ids="1", tag_ids="2", safe=1)),
    ("message", "send_file", "", lambda c: c.message.send_file(AGENT, "zhangsan", "1Yv-zXfHjSjU-7LH-GwtYqDGS-zz6w22KmWAT5COgP7o", party_ids="1", tag_ids="2", safe=1)),
    ("message", "send_articles", "article 'image' -> picurl", lambda c: c.message.send_articles(
        AGENT, "zhangsan", [{"title": "中秋节礼品领取", "description": "今年中秋节公司有豪礼相送", "url": "URL",
                              "image": "http://res.mail.qq.com/node/ww/wwopenmng/images/independent/doc/test_pic_msg1.png"}], party_ids="1", tag_ids="2")),
    ("message", "send_mp_articles", "every article key required", lambda c: c.message.send_mp_articles(
        AGENT, "zhangsan", [{"thumb_media_id": "MEDIA_ID", "author": "Author", "title": "Title", "content": "Content",
                              "content_source_url": "URL", "digest": "Digest description", "show_cover_pic": 1}], party_ids="1", tag_ids="2", safe=1)),
    ("message", "send_markdown", "", lambda c: c.message.send_markdown(AGENT, "zhangsan", "您的会议室已经预定，稍后会同步到`邮箱`", party_ids="1", tag_ids="2")),
    ("message", "update_taskcard", "", lambda c: c.message.update_taskcard(AGENT, ["userid1", "userid2"], "taskid122", "已收到")),

    # ---------------- misc ----------------
    ("misc", "get_wechat_ips", "no args", lambda c: c.misc.get_wechat_ips()),

    # ---------------- oa ----------------
    ("oa", "get_template_detail", "", lambda c: c.oa.get_template_detail("ZLqk8pcsAoXZ1eYa6vpAgfX28MPdYU3ayMaSPHaaa")),
    ("oa", "get_approval_info", "no filters", lambda c: c.oa.get_approval_info(1569546000, 1569718800, 0)),
    ("oa", "get_approval_info", "size + filters", lambda c: c.oa.get_approval_info(
        1569546000, 1569718800, 0, size=100, filters=[{"key": "template_id", "value": "ZLqk8pcsAoaXZ1eY56vpAgfX28MPdYU3ayMaSPHaaa"},
                                                     {"key": "creator", "value": "WuJunJie"}])),
    ("oa", "get_approval_detail", "", lambda c: c.oa.get_approval_detail("201909270001")),
    ("oa", "apply_event", "no notifyer", lambda c: c.oa.apply_event(
        "WangXiaoMing", "3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa", 1, None, APPLY_DATA, SUMMARY_LIST)),
    ("oa", "apply_event", "approver + notifyer + notify_type", lambda c: c.oa.apply_event(
        "WangXiaoMing", "3Tka1eD6v6JfzhDMqPd3aMkFdxqtJMc2ZRioeFXkaaa", 0, APPROVER, APPLY_DATA, SUMMARY_LIST,
        notifyer=["WuJunJie", "WangXiaoMing"], notify_type=1)),
    ("oa", "get_dial_record", "no args (start/end null)", lambda c: c.oa.get_dial_record()),
    ("oa", "get_dial_record", "every parameter", lambda c: c.oa.get_dial_record(1536508800, 1536940800, 0, 100)),
    ("oa", "get_checkin_data", "", lambda c: c.oa.get_checkin_data(3, T0, T1, ["james", "paul"])),
    ("oa", "get_checkin_daydata", "", lambda c: c.oa.get_checkin_daydata(1599062400, 1599408000, ["ZhangSan"])),
    ("oa", "get_checkin_monthdata", "", lambda c: c.oa.get_checkin_monthdata(1599062400, 1599408000, ["ZhangSan"])),
    ("oa", "get_corp_checkin_option", "no body", lambda c: c.oa.get_corp_checkin_option()),
    ("oa", "get_checkin_option", "", lambda c: c.oa.get_checkin_option(1511971200, ["james", "paul"])),
    ("oa", "get_checkin_schedu_list", "", lambda c: c.oa.get_checkin_schedu_list(1492617600, 1492790400, ["james", "paul"])),
    ("oa", "set_checkin_schedu_list", "", lambda c: c.oa.set_checkin_schedu_list(
        226, [{"userid": "james", "day": 5, "schedule_id": 234}], 202012)),
    ("oa", "add_checkin_userface", "", lambda c: c.oa.add_checkin_userface("james", "PLACE_HOLDER")),
    ("oa", "get_hardware_checkin_data", "default filter_type", lambda c: c.oa.get_hardware_checkin_data(T0, T1, ["james", "paul"])),
    ("oa", "get_hardware_checkin_data", "filter_type=2", lambda c: c.oa.get_hardware_checkin_data(T0, T1, ["james"], filter_type=2)),
    ("oa", "get_open_approval_data", "", lambda c: c.oa.get_open_approval_data("201806010001")),
    ("oa", "get_journal_record_list", "no filters", lambda c: c.oa.get_journal_record_list(1606230000, 1606361304, 0, 10)),
    ("oa", "get_journal_record_list", "filters", lambda c: c.oa.get_journal_record_list(
        1606230000, 1606361304, 0, 10, filters=[{"key": "creator", "value": "kele"}, {"key": "department", "value": "1"}])),
    ("oa", "get_journal_record_detail", "", lambda c: c.oa.get_journal_record_detail("41eJejN57EJNzr8HrZfmKyCN7xwKw1qRxCZUxCVuo9fsWVMSKac6nk4q8rARTDaVNdx")),
    ("oa", "get_journal_stat_list", "", lambda c: c.oa.get_journal_stat_list(1604160000, 1606363092, "3TmALk1ogfgKiQE3e3jRwnTUhMTh8vca1N8zUVNUx")),
    ("oa", "add_meetingroom", "name+capacity only", lambda c: c.oa.add_meetingroom("18F-会议室", 10)),
    ("oa", "add_meetingroom", "every parameter", lambda c: c.oa.add_meetingroom(
        "18F-会议室", 10, city="深圳", building="腾讯大厦", floor="18F", equipment=[1, 2, 3],
        latitude="22.540503", longitude="113.934528")),
    ("oa", "get_meetingroom_list", "no filter (empty body)", lambda c: c.oa.get_meetingroom_list()),
    ("oa", "get_meetingroom_list", "every parameter", lambda c: c.oa.get_meetingroom_list(
        city="深圳", building="腾讯大厦", floor="18F", equipment=[1, 2, 3])),
    ("oa", "edit_meetingroom", "every parameter", lambda c: c.oa.edit_meetingroom(
        2, "18F-会议室", 10, city="深圳", building="腾讯大厦", floor="18F", equipment=[1, 2, 3],
        latitude="22.540503", longitude="113.934528")),
    ("oa", "edit_meetingroom", "required only", lambda c: c.oa.edit_meetingroom(2, "18F-会议室", 10)),
    ("oa", "delete_meetingroom", "", lambda c: c.oa.delete_meetingroom(1)),
    ("oa", "get_meetingroom_booking_info", "no filter", lambda c: c.oa.get_meetingroom_booking_info()),
    ("oa", "get_meetingroom_booking_info", "every parameter", lambda c: c.oa.get_meetingroom_booking_info(
        1, 1593532800, 1593619200, city="广州", building="腾讯大厦", floor="18F")),
    ("oa", "book_meetingroom", "required only", lambda c: c.oa.book_meetingroom(1, 1593532800, 1593662400, "zhangsan")),
    ("oa", "book_meetingroom", "subject + attendees", lambda c: c.oa.book_meetingroom(
        1, 1593532800, 1593662400, "zhangsan", subject="周会", attendees=["lisi", "wangwu"])),
    ("oa", "cancle_meetingroom_book", "meeting_id only", lambda c: c.oa.cancle_meetingroom_book("mtgsaseb6e027c123cbafAAA")),
    ("oa", "cancle_meetingroom_book", "keep_schedule=1", lambda c: c.oa.cancle_meetingroom_book("mtgsaseb6e027c123cbafAAA", keep_schedule=1)),
    ("oa", "get_booking_info_by_meeting_id", "", lambda c: c.oa.get_booking_info_by_meeting_id(1, "mtebsada6e027c123cbafAAA")),

    # ---------------- oauth ----------------
    ("oauth", "get_user_info", "code", lambda c: c.oauth.get_user_info("CODE")),

    # ---------------- schedule ----------------
    ("schedule", "add", "required only (defaults still sent)", lambda c: c.schedule.add("userid1", 1571274600, 1571320210)),
    ("schedule", "add", "every parameter", lambda c: c.schedule.add(
        "userid1", 1571274600, 1571320210, attendees=["userid2", "userid3"], summary="需求评审会议",
        description="2.0版本需求初步评审", is_remind=True, remind_before_event_secs=3600, is_repeat=True,
        repeat_type=7, location="广州国际媒体港10楼1005会议室", calendar_id="wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA")),
    ("schedule", "update", "every parameter", lambda c: c.schedule.update(
        "userid1", "17c7d2bd9f20d652840f72f59e796AAA", 1571274600, 1571320210, attendees=["userid2"],
        summary="test_summary", description="test_description", is_remind=False, remind_before_event_secs=0,
        is_repeat=True, repeat_type=7, location="test_place", calendar_id="wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA")),
    ("schedule", "get", "ids", lambda c: c.schedule.get(["17c7d2bd9f20d652840f72f59e796AAA"])),
    ("schedule", "delete", "id", lambda c: c.schedule.delete("17c7d2bd9f20d652840f72f59e796AAA")),
    ("schedule", "get_by_calendar", "defaults", lambda c: c.schedule.get_by_calendar("wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA")),
    ("schedule", "get_by_calendar", "offset+limit", lambda c: c.schedule.get_by_calendar("wcjgewCwAAqeJcPI1d8Pwbjt7nttzAAA", 100, 1000)),
    ("schedule", "del_users", "two users (only the last survives)", lambda c: c.schedule.del_users(
        "17c7d2bd9f20d652840f72f59e796AAA", ["userid2", "userid3"])),

    # ---------------- service ----------------
    ("service", "get_provider_token", "", lambda c: c.service.get_provider_token("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")),
    ("service", "get_suite_token", "", lambda c: c.service.get_suite_token("id_value", "secret_value", "ticket_value")),
    ("service", "get_login_info", "no provider_access_token", lambda c: c.service.get_login_info("xxxxx")),
    ("service", "get_login_info", "provider_access_token", lambda c: c.service.get_login_info("xxxxx", provider_access_token="PROVIDER_ACCESS_TOKEN")),

    # ---------------- tag ----------------
    ("tag", "create", "name only", lambda c: c.tag.create("UI")),
    ("tag", "create", "name + tag_id", lambda c: c.tag.create("UI", 12)),
    ("tag", "create", "tag_id=0 (falsy: tagid dropped)", lambda c: c.tag.create("UI", 0)),
    ("tag", "update", "", lambda c: c.tag.update(12, "UI design")),
    ("tag", "delete", "", lambda c: c.tag.delete(12)),
    ("tag", "get_users", "", lambda c: c.tag.get_users(12)),
    ("tag", "add_users", "users + departments", lambda c: c.tag.add_users(12, ["user1", "user2"], [4])),
    ("tag", "add_users", "users only", lambda c: c.tag.add_users(12, ["user1"])),
    ("tag", "delete_users", "users + departments", lambda c: c.tag.delete_users(12, ["user1", "user2"], [2, 4])),
    ("tag", "delete_users", "departments only", lambda c: c.tag.delete_users(12, department_ids=[2])),
    ("tag", "list", "", lambda c: c.tag.list()),

    # ---------------- user ----------------
    ("user", "create", "user_id+name only (gender=0 still sent)", lambda c: c.user.create("zhangsan", "张三")),
    ("user", "create", "every named parameter", lambda c: c.user.create(
        "zhangsan", "张三", department=[1, 2], position="产品经理", mobile="+86 13800000000", gender="1",
        tel="020-123456", email="zhangsan@gzdev.com", weixin_id="zhangsan_wx", extattr=EXTATTR)),
    ("user", "create", "official field names via **kwargs", lambda c: c.user.create(
        "zhangsan", "张三", department=[1, 2], gender="1", alias="jackzhang", order=[10, 40],
        biz_mail="zhangsan@qyycs2.wecom.work", is_leader_in_dept=[1, 0], direct_leader=["lisi"], enable=1,
        avatar_mediaid="2-G6nrLmr5EC3MNb_-zL1dDdzkd0p7cNliYu9V5w7o8K0", telephone="020-123456",
        address="广州市海珠区新港中路", main_department=1, to_invite=True, external_position="高级产品经理",
        external_profile={"external_corp_name": "企业简称", "wechat_channels": {"nickname": "视频号名称"}, "external_attr": []})),
    ("user", "get", "", lambda c: c.user.get("zhangsan")),
    ("user", "update", "user_id only", lambda c: c.user.update("zhangsan")),
    ("user", "update", "every named parameter", lambda c: c.user.update(
        "zhangsan", name="李四", department=[1], position="后台工程师", mobile="13800000000", gender="1",
        tel="020-123456", email="zhangsan@gzdev.com", weixin_id="zhangsan_wx", enable=1, extattr=EXTATTR)),
    ("user", "update", "official field names via **kwargs", lambda c: c.user.update(
        "zhangsan", alias="jackzhang", order=[10], biz_mail="zhangsan@qyycs2.wecom.work",
        is_leader_in_dept=[1], direct_leader=["lisi"], avatar_mediaid="2-G6nrLmr5EC3MNb_-zL1dDdzkd0p7cNliYu9V5w7o8K0",
        telephone="020-123456", address="广州市海珠区新港中路", main_department=1, new_userid="zhangsan2",
        external_position="工程师", external_profile={"external_corp_name": "企业简称"})),
    ("user", "delete", "", lambda c: c.user.delete("zhangsan")),
    ("user", "batch_delete", "", lambda c: c.user.batch_delete(["zhangsan", "lisi"])),
    ("user", "list", "defaults (user/list, status=0)", lambda c: c.user.list(1)),
    ("user", "list", "simple=True fetch_child=True status=1", lambda c: c.user.list(1, fetch_child=True, status=1, simple=True)),
    ("user", "convert_to_openid", "user_id only", lambda c: c.user.convert_to_openid("zhangsan")),
    ("user", "convert_to_openid", "agent_id (legacy)", lambda c: c.user.convert_to_openid("zhangsan", agent_id=AGENT)),
    ("user", "convert_to_user_id", "", lambda c: c.user.convert_to_user_id("oDjGHs-1yCnGrRovBj2yHij5JAAA")),
    ("user", "verify", "", lambda c: c.user.verify("zhangsan")),
    ("user", "get_join_qrcode", "no size_type", lambda c: c.user.get_join_qrcode()),
    ("user", "get_join_qrcode", "size_type=1", lambda c: c.user.get_join_qrcode(1)),
    ("user", "get_active_stat", "", lambda c: c.user.get_active_stat("2020-03-27")),
    ("user", "getuserid", "", lambda c: c.user.getuserid("13430388888")),
]

# Public methods that never touch HTTP (they build a URL or compute a signature). Not recorded;
# their output is written to url_only.json for reference.
NO_HTTP = {
    ("jsapi", "get_jsapi_signature"): lambda c: c.jsapi.get_jsapi_signature(
        "Wm3WZYTPz0wzccnW", "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        1414587457, "http://mp.weixin.qq.com?params=value"),
    ("media", "get_url"): lambda c: c.media.get_url("MEDIA_ID"),
    ("media", "get_jssdk_url"): lambda c: c.media.get_jssdk_url("MEDIA_ID"),
    ("oauth", "authorize_url"): lambda c: c.oauth.authorize_url("https://example.com/cb?x=1"),
    ("oauth", "authorize_url#state"): lambda c: c.oauth.authorize_url("https://example.com/cb?x=1", state="STATE"),
}


def public_methods(client):
    """{group: [method, ...]} for every API object attribute of the client."""
    base_names = set(dir(BaseWeChatAPI))
    out = {}
    for name, api in inspect.getmembers(client, _is_api_endpoint):
        cls = type(api)
        methods = []
        for m in dir(cls):
            if m.startswith("_") or m in base_names:
                continue
            attr = inspect.getattr_static(cls, m)
            if isinstance(attr, (staticmethod, classmethod)) or inspect.isfunction(attr):
                methods.append(m)
        out[name] = sorted(methods)
    return out


PASSED = {}   # (group, method) -> set of parameter names passed explicitly by an outer call
_DEPTH = [0]


def instrument(client, groups):
    """Wrap every public method so that each outermost call notes which parameters it passed."""
    import functools
    for g, methods in groups.items():
        api = getattr(client, g)
        for m in methods:
            fn = getattr(api, m)
            sig = inspect.signature(fn)
            PASSED.setdefault((g, m), set())

            def wrapper(*a, __fn=fn, __sig=sig, __key=(g, m), **kw):
                if _DEPTH[0] == 0:
                    bound = __sig.bind(*a, **kw)
                    for name, val in bound.arguments.items():
                        if __sig.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
                            PASSED[__key].update(f"**{k}" for k in val)
                        else:
                            PASSED[__key].add(name)
                _DEPTH[0] += 1
                try:
                    return __fn(*a, **kw)
                finally:
                    _DEPTH[0] -= 1
            setattr(api, m, functools.wraps(fn)(wrapper))


def main():
    client = make_client()
    groups = public_methods(client)
    signatures = {f"{g}.{m}": str(inspect.signature(getattr(getattr(client, g), m)))
                  for g, ms in groups.items() for m in ms}
    instrument(client, groups)

    calls_log = []
    failures = []
    for group, method, label, fn in CALLS:
        CURRENT["group"], CURRENT["method"] = group, method
        before = len(RECORDS)
        try:
            fn(client)
            err = None
        except Exception as e:  # a call that raises is a finding, not a crash of the recorder
            err = f"{type(e).__name__}: {e}"
            failures.append((group, method, label, err))
        calls_log.append({"group": group, "method": method, "label": label,
                          "requests": len(RECORDS) - before, "error": err})
    CURRENT["group"] = CURRENT["method"] = None

    # No-HTTP methods: make sure they really send nothing, keep their output for reference.
    url_only = {}
    for (group, method), fn in NO_HTTP.items():
        before = len(RECORDS)
        url_only[f"{group}.{method}"] = fn(client)
        if len(RECORDS) != before:
            failures.append((group, method, "no-http", "unexpectedly sent a request"))

    # Coverage: every public method of every group is either called or NO_HTTP.
    called = {(g, m) for g, m, _, _ in CALLS}
    no_http = {(g, m.split("#")[0]) for g, m in NO_HTTP}
    missing = [(g, m) for g, ms in groups.items() for m in ms if (g, m) not in called | no_http]
    unknown = [(g, m) for g, m in called | no_http if m not in groups.get(g, [])]
    never_passed = {}
    for (g, m), passed in PASSED.items():
        params = [p for p in inspect.signature(getattr(type(getattr(client, g)), m)).parameters
                  if p != "self" and not p.startswith("*")]
        kinds = inspect.signature(getattr(type(getattr(client, g)), m)).parameters
        params = [p for p in params if kinds[p].kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
        left = [p for p in params if p not in passed]
        if left and (g, m) in called:
            never_passed[f"{g}.{m}"] = left

    with open(OUT, "w", encoding="utf-8") as f:
        for r in RECORDS:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    classes = {g: f"{type(getattr(client, g)).__module__}.{type(getattr(client, g)).__name__}" for g in groups}
    with open(CALLS_OUT, "w", encoding="utf-8") as f:
        json.dump({"wechatpy_version": wechatpy.__version__, "groups": groups, "classes": classes, "calls": calls_log,
                   "no_http": sorted({f"{g}.{m.split('#')[0]}" for g, m in NO_HTTP}),
                   "wire_meta": WIRE_META, "signatures": signatures,
                   "params_never_passed_explicitly": never_passed}, f, ensure_ascii=False, indent=1, sort_keys=True)
    with open(os.path.join(OUT_DIR, "url_only.json"), "w", encoding="utf-8") as f:
        json.dump(url_only, f, ensure_ascii=False, indent=1, sort_keys=True)

    print(f"wechatpy {wechatpy.__version__}: {len(groups)} groups, "
          f"{sum(len(v) for v in groups.values())} public methods, {len(CALLS)} calls, {len(RECORDS)} requests")
    for g in groups:
        n = sum(1 for r in RECORDS if r["group"] == g)
        print(f"  {g:30s} {n:4d} requests")
    ok = True
    if failures:
        ok = False
        print("FAILED CALLS:")
        for f_ in failures:
            print("  ", f_)
    if missing:
        ok = False
        print("PUBLIC METHODS NOT COVERED:", missing)
    if never_passed:
        print("parameters never passed explicitly (defaults only):")
        for k, v in never_passed.items():
            print(f"   {k}: {v}")
    if unknown:
        ok = False
        print("CALLS TO UNKNOWN METHODS:", unknown)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
