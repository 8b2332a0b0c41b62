from tests.conftest import login


def test_clerk_creates_candidate(client, make):
    township = make.township("太平镇")
    clerk = make.user("clerk", township)
    login(client, clerk)
    page = client.get("/candidates/new")
    assert page.status_code == 200, page.get_data(as_text=True)
    response = client.post(
        "/candidates/new",
        data={
            "name": " 张 三 ",
            "id_number": "11010519491231002X",
            "political": "01",
            "education": "bachelor",
            "source": "veteran",
            "direction": "party_secretary",
            "village_id": str(township.villages[0].id),
            "phone": "１３８ ００１３ ８０００",
            "ethnicity": "01",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"])
    html = detail.get_data(as_text=True)
    assert "张三" in html and "1101**********002X" in html
    roster = client.get("/candidates/").get_data(as_text=True)
    assert "张三" in roster
    assert client.get("/").status_code == 200
